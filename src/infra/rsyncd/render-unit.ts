import { planRsyncdUnit, type PlanRsyncdUnitOptions } from '../../core/rsyncd/index.js';
import type { Renderer } from '../templates.js';

/** The text of sisuite-rsyncd.service for `si rsyncd --unit`. */
export function renderRsyncdUnit({ renderer, ...options }: PlanRsyncdUnitOptions & { renderer: Renderer }): string {
  return renderer.render('rsyncd/sisuite-rsyncd.service', planRsyncdUnit(options));
}
