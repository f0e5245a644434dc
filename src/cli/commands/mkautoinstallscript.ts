import type { Command } from 'commander';
import { checkName } from '../../core/names.js';
import { makeAutoinstallScripts } from '../../infra/autoinstall/make-autoinstall-scripts.js';
import { createRenderer } from '../../infra/templates.js';
import { withStore } from '../context.js';
import { note, printJson, printLine } from '../output.js';
import { installLayoutOf } from '../../infra/images/install-layout.js';

const SHOWN_WARNINGS = 10;

/**
 * si mkautoinstallscript: scripts/IMAGE.master and a scripts/HOST.sh for every client of the image, with the
 * image's install layout and each host's configure plan. Only what changed is written.
 */
export async function mkautoinstallscriptCommand(options: { image: string; json?: boolean }, command: Command): Promise<void> {
  const image = checkName('image', options.image);
  await withStore(command, async (store) => {
    const resolved = installLayoutOf(store, image);
    const registry = store.clients;
    const groups = new Map(registry.listGroups().map((g) => [g.name, g]));
    const result = await makeAutoinstallScripts({
      paths: store.paths,
      image,
      imageTree: `${store.paths.images}/${image}`,
      layout: resolved.layout,
      clients: registry.clientsOfImage(image),
      renderer: createRenderer({ siteDir: store.paths.templates }),
      // A client's override trees: its groups' (in order), each group's own list of trees.
      groupsOf: (client) => client.groups.flatMap((name) => [name, ...(groups.get(name)?.overrides ?? [])]),
    });
    if (options.json) return printJson({ image, layoutSource: resolved.source, ...result });
    if (resolved.note) note(`note: ${resolved.note}; using the standard layout (see si layout show --image ${image})`);
    // Thousands of clients can share one problem: show a few, count the rest.
    for (const warning of result.warnings.slice(0, SHOWN_WARNINGS)) note(`warning: ${warning}`);
    const hidden = result.warnings.length - SHOWN_WARNINGS;
    if (hidden > 0) note(`warning: ... and ${hidden} more (si mkautoinstallscript --image ${image} --json lists them all)`);
    printLine(`${image}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed in ${store.paths.scripts}`);
  });
}
