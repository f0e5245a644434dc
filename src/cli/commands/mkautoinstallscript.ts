import type { Command } from 'commander';
import { checkName } from '../../core/names.js';
import { makeAutoinstallScripts } from '../../infra/autoinstall/make-autoinstall-scripts.js';
import { planAutoinstallScripts } from '../../infra/autoinstall/plan-autoinstall-scripts.js';
import { createRenderer } from '../../infra/templates.js';
import { withStore } from '../context.js';
import { note, printJson, printLine } from '../output.js';
import { installLayoutOf } from '../../infra/images/install-layout.js';
import type { RenderPlan } from '../../core/autoinstall/render-plan.js';

const SHOWN_WARNINGS = 10;

/**
 * si mkautoinstallscript: scripts/IMAGE.master and a scripts/HOST.sh for every client of the image, with the
 * image's install layout and each host's configure plan, published as one new generation of scripts/.
 * Only what changed is written. --dry-run prints the plan and changes nothing.
 */
export async function mkautoinstallscriptCommand(options: { image: string; json?: boolean; dryRun?: boolean }, command: Command): Promise<void> {
  const image = checkName('image', options.image);
  await withStore(command, async (store) => {
    const resolved = installLayoutOf(store, image);
    const registry = store.clients;
    const request = {
      paths: store.paths,
      image,
      imageTree: `${store.paths.images}/${image}`,
      layout: resolved.layout,
      clients: registry.clientsOfImage(image),
      renderer: createRenderer({ siteDir: store.paths.templates }),
      groups: registry.listGroups(),
    };
    // The note comes after the work: a refusal stays the only line.
    const layoutNote = () => resolved.note && note(`note: ${resolved.note}; using the standard layout (see si layout show --image ${image})`);
    if (options.dryRun) {
      printRenderPlan(planAutoinstallScripts(request), { json: options.json === true, layoutSource: resolved.source });
      return void (options.json || layoutNote());
    }
    const result = await makeAutoinstallScripts(request);
    if (options.json) return printJson({ image, layoutSource: resolved.source, ...result });
    layoutNote();
    for (const hook of result.movedHooks) note(`note: moved scripts/${hook} to hooks/${hook}: hooks live in ${store.paths.home}/hooks now`);
    // Thousands of clients can share one problem: show a few, count the rest.
    for (const warning of result.warnings.slice(0, SHOWN_WARNINGS)) note(`warning: ${warning}`);
    const hidden = result.warnings.length - SHOWN_WARNINGS;
    if (hidden > 0) note(`warning: ... and ${hidden} more (si mkautoinstallscript --image ${image} --json lists them all)`);
    const generation = result.generation === null ? '' : ` (generation ${result.generation})`;
    printLine(`${image}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed in ${store.paths.scripts}${generation}`);
  });
}

/** si mkautoinstallscript --dry-run: what a render would write, keep and remove, and each host's inputs. */
export function printRenderPlan({ plan, movedHooks, served }: { plan: RenderPlan; movedHooks: string[]; served: string | null }, options: { json: boolean; layoutSource: string }): void {
  const files = [plan.master, plan.install, ...plan.hosts];
  const render = files.filter((f) => f.action === 'render').map((f) => f.file);
  const keep = files.filter((f) => f.action === 'keep').map((f) => f.file);
  if (options.json) {
    return printJson({ image: plan.image, dryRun: true, layoutSource: options.layoutSource, served, render, keep, remove: plan.remove, hooks: plan.hooks, movedHooks, hosts: plan.hosts, warnings: plan.warnings });
  }
  for (const warning of plan.warnings) note(`warning: ${warning}`);
  for (const hook of movedHooks) printLine(`would move scripts/${hook} to hooks/${hook}`);
  printLine(`${plan.image}: would render ${render.length} (written where the content differs), keep ${keep.length}, remove ${plan.remove.length}; nothing changed (dry run)`);
  for (const file of plan.remove) printLine(`  remove ${file}`);
  for (const host of plan.hosts) {
    const list = (words: readonly string[]) => (words.length > 0 ? words.join(',') : '-');
    printLine(`  ${host.action.padEnd(6)} ${host.file}  classes ${list(host.classes)}  overrides ${list(host.overrides)}  pre ${list(host.preInstall)}  post ${list(host.postInstall)}`);
  }
}
