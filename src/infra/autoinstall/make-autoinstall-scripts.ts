import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { installHostConfig } from '../../core/autoinstall/client-host.js';
import { buildHostScriptContext, buildMasterContext } from '../../core/autoinstall/context.js';
import { isHookName, selectHooks } from '../../core/autoinstall/hooks.js';
import { mergeHostTable } from '../../core/autoinstall/host-table.js';
import { buildLayoutContext } from '../../core/autoinstall/layout-context.js';
import { staleFiles } from '../../core/autoinstall/manifest.js';
import type { ClientRecord } from '../../core/clients/client-record.js';
import { planConfigure, prepareTree, type PreparedTree } from '../../core/configure/build-plan.js';
import { CATALOG } from '../../core/configure/footprints/index.js';
import { renderPlanAsShell } from '../../core/configure/shell.js';
import { UserError } from '../../core/errors.js';
import type { HomePaths } from '../../core/home.js';
import type { DiskLayout } from '../../core/layout/disk-layout.js';
import { checkName } from '../../core/names.js';
import { SHIPPED_TEMPLATES, type Renderer } from '../templates.js';
import { createRecordingTree, fingerprintReads } from './recording-tree.js';
import { fingerprintTemplates, listDirectories, listFiles, ScriptFiles, sha256 } from './script-files.js';

export interface MakeAutoinstallScriptsOptions {
  paths: HomePaths;
  image: string;
  /** The image's root tree (usually `images/NAME`): its footprints make each host's configure plan. */
  imageTree: string;
  layout: DiskLayout;
  /** The image's clients. */
  clients: readonly ClientRecord[];
  renderer: Renderer;
  /** A client's groups, in the order their override trees apply; the record's own list by default. */
  groupsOf?: (client: ClientRecord) => readonly string[];
}

export interface MakeAutoinstallScriptsResult {
  /** File names under scripts/. */
  written: string[];
  unchanged: string[];
  removed: string[];
  warnings: string[];
}

/** Bumped when what a script contains changes in a way the inputs do not show (the code that renders it). */
const RENDER_FORMAT = 1;
const EXECUTABLE = 0o755;

/**
 * Renders scripts/IMAGE.master, one scripts/HOST.sh per client, the generic scripts/install.sh and the host
 * table scripts/hosts. Files whose inputs are unchanged are left alone; files of this image that no client
 * needs any more are removed. The image is read once for all hosts (prepareTree and one caching tree), and
 * files are written on a writer thread while the next hosts render; the manifest is saved last.
 */
export async function makeAutoinstallScripts(options: MakeAutoinstallScriptsOptions): Promise<MakeAutoinstallScriptsResult> {
  const { paths, image, imageTree, clients } = options;
  checkName('image', image);
  if (!existsSync(imageTree) || !statSync(imageTree).isDirectory()) {
    throw new UserError(`image ${image} has no tree at ${imageTree}: capture it with si getimage (or build it with si mkimage) first`);
  }
  for (const client of clients) {
    if (client.image !== image) throw new UserError(`client ${client.hostname} is installed from image ${client.image}, not ${image}; render that image's scripts`);
  }
  const files = new ScriptFiles(paths.scripts);
  try {
    return await renderInto(files, options);
  } catch (error) {
    await files.abandon();
    throw error;
  }
}

async function renderInto(files: ScriptFiles, options: MakeAutoinstallScriptsOptions): Promise<MakeAutoinstallScriptsResult> {
  const { paths, image, imageTree, layout, clients, renderer } = options;
  const groupsOf = options.groupsOf ?? ((client: ClientRecord) => client.groups);
  const warnings = new Set<string>();
  const layoutContext = buildLayoutContext(layout);
  const templates = fingerprintTemplates([paths.templates, SHIPPED_TEMPLATES]);
  const common = sha256(JSON.stringify({ RENDER_FORMAT, templates, layout, image, home: paths.home }));

  const master = `${image}.master`;
  if (!files.isCurrent(master, image, common)) {
    const context = buildMasterContext({ image, layout: layoutContext, sshHome: paths.home });
    files.put(master, renderer.render('autoinstall/master', context), { image, inputs: common, mode: EXECUTABLE });
  } else files.keep(master);
  const install = 'install.sh';
  const installInputs = sha256(JSON.stringify({ RENDER_FORMAT, templates }));
  if (!files.isCurrent(install, '*', installInputs)) {
    files.put(install, renderer.render('autoinstall/install', {}), { image: '*', inputs: installInputs, mode: EXECUTABLE });
  } else files.keep(install);

  // The image counts as unchanged when it gives the same answers to what planning asked last time.
  const previousReads = files.manifest.trees[image];
  const treeSame = previousReads !== undefined && fingerprintReads(imageTree, previousReads.keys) === previousReads.hash;
  const hooks = { pre: hookNames(join(paths.scripts, 'pre-install')), post: hookNames(join(paths.scripts, 'post-install')) };
  const overrideTrees = listDirectories(paths.overrides);
  const catalog = sha256(JSON.stringify(CATALOG));
  const tree = createRecordingTree(imageTree);
  const produced = new Set([master, install, 'hosts']);
  let prepared: PreparedTree | undefined;

  for (const client of clients) {
    const name = `${client.hostname}.sh`;
    produced.add(name);
    const groups = [...groupsOf(client)];
    const selected = {
      pre: selectHooks({ names: hooks.pre, image, groups, host: client.hostname }),
      post: selectHooks({ names: hooks.post, image, groups, host: client.hostname }),
    };
    const overrides = [...new Set([...groups, ...client.overrides])].filter((o) => overrideTrees.has(o));
    for (const missing of client.overrides.filter((o) => !overrideTrees.has(o))) {
      warnings.add(`client ${client.hostname} names override ${missing}, which has no tree under ${paths.overrides}; it is skipped`);
    }
    const inputs = sha256(JSON.stringify({ common, catalog, client, groups, selected, overrides }));
    if (treeSame && files.isCurrent(name, image, inputs)) {
      files.keep(name);
      continue;
    }
    const install = installHostConfig({ client, image, layout: layoutContext });
    for (const warning of install.warnings) warnings.add(warning);
    prepared ??= prepareTree({ tree, catalog: CATALOG });
    const plan = planConfigure({ tree, host: install.host, renderer, prepared });
    for (const stage of plan.stages) for (const warning of stage.warnings) warnings.add(warning);
    const context = buildHostScriptContext({
      client,
      image,
      uuids: install.uuids,
      preInstall: selected.pre,
      postInstall: selected.post,
      overrides,
      plan,
      configureShell: renderPlanAsShell(plan, { run: false, helpers: false }),
    });
    files.put(name, renderer.render('autoinstall/host', context), { image, inputs, mode: EXECUTABLE });
  }

  const tablePath = join(paths.scripts, 'hosts');
  const table = mergeHostTable({ existing: existsSync(tablePath) ? readFileSync(tablePath, 'utf8') : '', image, clients });
  files.put('hosts', table, { image: '*', inputs: sha256(table), mode: 0o644 });

  for (const stale of staleFiles({ manifest: files.manifest, image, produced })) files.remove(stale);
  const asked = tree.keys();
  if (asked.length > 0 || !previousReads) {
    const keys = [...new Set([...(treeSame ? (previousReads?.keys ?? []) : []), ...asked])].sort();
    files.manifest.trees[image] = { keys, hash: fingerprintReads(imageTree, keys) };
  }
  return { ...(await files.save()), warnings: [...warnings] };
}

/** Hook scripts in a directory, by name; others are left out. */
function hookNames(dir: string): string[] {
  return listFiles(dir).filter(isHookName);
}
