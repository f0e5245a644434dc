import { buildUpdateClientContext } from '../../core/updates/update-plan.js';
import type { Renderer } from '../templates.js';

/** The text of si-updateclient (templates/updateclient/si-updateclient.hbs; a site copy wins). */
export function renderUpdateClient(renderer: Renderer): string {
  return renderer.render('updateclient/si-updateclient', buildUpdateClientContext());
}
