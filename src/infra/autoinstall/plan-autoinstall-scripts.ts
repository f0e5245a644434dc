import { existsSync, statSync } from 'node:fs';
import type { Manifest } from '../../core/autoinstall/manifest.js';
import type { GroupOverrides } from '../../core/autoinstall/override-order.js';
import { planRender, sha256, type RenderPlan } from '../../core/autoinstall/render-plan.js';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { CATALOG } from '../../core/configure/footprints/index.js';
import { UserError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import type { DiskLayout } from '../../core/layout/disk-layout.js';
import { checkName } from '../../core/names.js';
import { SHIPPED_TEMPLATES, type Renderer } from '../templates.js';
import { importServedHooks, listHooks } from './hook-files.js';
import { fingerprintReads } from './recording-tree.js';
import { fingerprintTemplates, listDirectories, readManifest, sizeIn } from './script-files.js';
import { servedDirectory } from './script-generations.js';

export interface MakeAutoinstallScriptsOptions {
  paths: HomePaths;
  image: string;
  /** The image's root tree (usually `images/NAME`): its footprints make each host's configure plan. */
  imageTree: string;
  layout: DiskLayout;
  /** The image's clients. */
  clients: readonly ClientRecord[];
  renderer: Renderer;
  /** The registry's groups (their own override trees); a client's groups missing here add none. */
  groups?: readonly GroupOverrides[];
}

/** Bumped when what a script contains changes in a way the inputs do not show (the code that renders it). */
export const RENDER_FORMAT = 2;

/** The refusals that come before anything is read or written. */
export function checkRenderRequest({ image, imageTree, clients }: MakeAutoinstallScriptsOptions): void {
  checkName('image', image);
  if (!existsSync(imageTree) || !statSync(imageTree).isDirectory()) {
    throw new UserError(`image ${image} has no tree at ${imageTree}: capture it with si getimage (or build it with si mkimage) first`);
  }
  for (const client of clients) {
    if (client.image !== image) throw new UserError(`client ${client.hostname} is installed from image ${client.image}, not ${image}; render that image's scripts`);
  }
}

/**
 * The render's plan against a served generation (`served`, its `manifest`): the facts are read here (the
 * templates, the hooks, the override trees, whether the image still answers what planning asked), the
 * decisions are core's (planRender).
 */
export function planAgainst(options: MakeAutoinstallScriptsOptions, served: string | null, manifest: Manifest): RenderPlan {
  const { paths, image, imageTree, layout } = options;
  const templates = fingerprintTemplates([paths.templates, SHIPPED_TEMPLATES]);
  const previousReads = manifest.trees[image];
  return planRender({
    image,
    clients: options.clients,
    groups: new Map((options.groups ?? []).map((g) => [g.name, g])),
    hooks: listHooks(paths),
    overrideTrees: listDirectories(paths.overrides),
    overridesDir: paths.overrides,
    masterInputs: sha256(JSON.stringify({ RENDER_FORMAT, templates, layout, image, home: paths.home })),
    installInputs: sha256(JSON.stringify({ RENDER_FORMAT, templates })),
    hostCommon: sha256(JSON.stringify(CATALOG)),
    // The image counts as unchanged when it gives the same answers to what planning asked last time.
    treeSame: previousReads !== undefined && fingerprintReads(imageTree, previousReads.keys) === previousReads.hash,
    manifest,
    sizeOf: (name) => sizeIn(served, name),
  });
}

/** si mkautoinstallscript --dry-run: the plan against what is served now; nothing is locked or written. */
export function planAutoinstallScripts(options: MakeAutoinstallScriptsOptions): { plan: RenderPlan; movedHooks: string[]; served: string | null } {
  checkRenderRequest(options);
  const served = servedDirectory(options.paths);
  const manifest = readManifest(served);
  const movedHooks = importServedHooks({ paths: options.paths, served, manifest, dryRun: true });
  const plan = planAgainst(options, served, manifest);
  // Hooks that a render would move to hooks/ first count as there.
  for (const hook of movedHooks) if (!plan.hooks.includes(hook)) plan.hooks.push(hook);
  return { plan, movedHooks, served };
}
