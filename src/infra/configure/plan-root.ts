import { statSync } from 'node:fs';
import { planConfigure } from '../../core/configure/build-plan.js';
import type { HostConfig } from '../../core/configure/host-config.js';
import type { ConfigurePlan } from '../../core/configure/plan.js';
import type { StageName } from '../../core/configure/stages.js';
import { UserError } from '../../core/errors.js';
import { createRenderer, type Renderer } from '../templates.js';
import { createFsTree } from './fs-tree.js';

export interface PlanForRootOptions {
  /** The root tree: an image (`$SI_HOME/images/<name>`) or a host's mounted root. */
  root: string;
  host: HostConfig;
  stages?: readonly StageName[];
  /** `$SI_HOME/templates`: site copies of templates win over the shipped ones. */
  siteDir?: string;
  renderer?: Renderer;
}

/** Detects footprints in a root tree on disk and builds the host's configure plan. */
export function planForRoot(options: PlanForRootOptions): ConfigurePlan {
  let isDirectory = false;
  try {
    isDirectory = statSync(options.root).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new UserError(`root ${options.root} is not a directory: give the root tree of an image or a mounted host`);
  return planConfigure({
    tree: createFsTree(options.root),
    host: options.host,
    stages: options.stages,
    renderer: options.renderer ?? createRenderer({ siteDir: options.siteDir }),
  });
}
