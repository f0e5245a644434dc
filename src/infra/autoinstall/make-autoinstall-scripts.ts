import { installHostConfig } from '../../core/autoinstall/client-host.js';
import { buildHostScriptContext, buildMasterContext } from '../../core/autoinstall/context.js';
import { MASTER_ID_LENGTH, masterIdLine } from '../../core/autoinstall/generations.js';
import { mergeHostTable } from '../../core/autoinstall/host-table.js';
import { buildLayoutContext } from '../../core/autoinstall/layout-context.js';
import { HOST_TABLE, sha256, type RenderPlan } from '../../core/autoinstall/render-plan.js';
import { planConfigure, prepareTree, type PreparedTree } from '../../core/configure/build-plan.js';
import { CATALOG } from '../../core/configure/footprints/index.js';
import { renderPlanAsShell } from '../../core/configure/shell.js';
import { UserError } from '../../core/errors.js';
import { HOOK_KINDS, importServedHooks, readHook } from './hook-files.js';
import { checkRenderRequest, planAgainst, type MakeAutoinstallScriptsOptions } from './plan-autoinstall-scripts.js';
import { createRecordingTree, fingerprintReads } from './recording-tree.js';
import { ScriptFiles } from './script-files.js';
import { ScriptGenerations } from './script-generations.js';
import { renderUpdateClient } from '../updates/render-updateclient.js';

export type { MakeAutoinstallScriptsOptions } from './plan-autoinstall-scripts.js';

export interface MakeAutoinstallScriptsResult {
  /** File names in the generation. */
  written: string[];
  unchanged: string[];
  removed: string[];
  warnings: string[];
  /** The generation served after this render (null: none yet), and the id its master of this image carries. */
  generation: number | null;
  masterId: string;
  /** Hooks found in scripts/pre-install or post-install and moved to hooks/. */
  movedHooks: string[];
}

const EXECUTABLE = 0o755;

/**
 * Renders IMAGE.master, one HOST.sh per client, the generic install.sh, the host table and the hook copies
 * into the next scripts generation, and switches what the rsync daemon serves to it at once (see
 * script-generations.ts). Files whose inputs are unchanged are hard-linked from the served generation, as
 * are other images' files; files of this image that no client needs any more are left out. The image is
 * read once for all hosts (prepareTree and one caching tree), and files are written on a writer thread
 * while the next hosts render.
 */
export async function makeAutoinstallScripts(options: MakeAutoinstallScriptsOptions): Promise<MakeAutoinstallScriptsResult> {
  checkRenderRequest(options);
  const generations = await ScriptGenerations.open(options.paths);
  try {
    const files = new ScriptFiles(generations);
    try {
      const movedHooks = importServedHooks({ paths: options.paths, served: generations.current, manifest: files.manifest });
      return { ...(await renderInto(files, options, planAgainst(options, generations.current, files.manifest))), movedHooks };
    } catch (error) {
      await files.abandon();
      throw error;
    }
  } finally {
    generations.close();
  }
}

async function renderInto(files: ScriptFiles, options: MakeAutoinstallScriptsOptions, plan: RenderPlan): Promise<Omit<MakeAutoinstallScriptsResult, 'movedHooks'>> {
  const { paths, image, imageTree, layout, clients, renderer } = options;
  const warnings = new Set<string>(plan.warnings);
  const layoutContext = buildLayoutContext(layout);

  let masterId = files.manifest.masters[image] ?? '';
  if (plan.master.action === 'render') {
    const context = { ...buildMasterContext({ image, layout: layoutContext, sshHome: paths.home }), updateClient: renderUpdateClient(renderer) };
    // The id is a digest of the master rendered without one, so equal masters carry equal ids.
    masterId = sha256(renderer.render('autoinstall/master', { ...context, masterId: '' })).slice(0, MASTER_ID_LENGTH);
    const text = renderer.render('autoinstall/master', { ...context, masterId });
    if (!text.includes(`\n${masterIdLine(masterId)}\n`)) {
      throw new UserError(`the master template (a site copy under ${paths.templates}?) has no line SI_MASTER_ID={{masterId}}: add it as in the shipped templates/autoinstall/master.hbs`);
    }
    files.manifest.masters[image] = masterId;
    files.put(plan.master.file, text, { image, inputs: plan.master.inputs, mode: EXECUTABLE });
  } else files.keep(plan.master.file);
  if (plan.install.action === 'render') {
    files.put(plan.install.file, renderer.render('autoinstall/install', {}), { image: '*', inputs: plan.install.inputs, mode: EXECUTABLE });
  } else files.keep(plan.install.file);
  for (const kind of HOOK_KINDS) {
    for (const name of plan.hooks.filter((h) => h.startsWith(`${kind}/`)).map((h) => h.slice(kind.length + 1))) {
      const hook = readHook(paths, kind, name);
      files.put(`${kind}/${name}`, hook.content, { image: '*', inputs: sha256(hook.content), mode: hook.mode });
    }
  }

  const tree = createRecordingTree(imageTree);
  let prepared: PreparedTree | undefined;
  const byName = new Map(clients.map((c) => [c.hostname, c]));
  for (const host of plan.hosts) {
    if (host.action === 'keep') {
      files.keep(host.file);
      continue;
    }
    const client = byName.get(host.hostname) as (typeof clients)[number];
    const install = installHostConfig({ client, image, layout: layoutContext });
    for (const warning of install.warnings) warnings.add(warning);
    prepared ??= prepareTree({ tree, catalog: CATALOG });
    const configurePlan = planConfigure({ tree, host: install.host, renderer, prepared });
    for (const stage of configurePlan.stages) for (const warning of stage.warnings) warnings.add(warning);
    const context = buildHostScriptContext({
      client,
      image,
      masterId,
      uuids: install.uuids,
      preInstall: host.preInstall,
      postInstall: host.postInstall,
      overrides: host.overrides,
      plan: configurePlan,
      configureShell: renderPlanAsShell(configurePlan, { run: false, helpers: false }),
    });
    files.put(host.file, renderer.render('autoinstall/host', context), { image, inputs: host.inputs, mode: EXECUTABLE });
  }

  const table = mergeHostTable({ existing: files.read(HOST_TABLE) ?? '', image, clients });
  files.put(HOST_TABLE, table, { image: '*', inputs: sha256(table), mode: 0o644 });

  for (const stale of plan.remove) files.remove(stale);
  const previousReads = files.manifest.trees[image];
  const asked = tree.keys();
  if (asked.length > 0 || !previousReads) {
    const keys = [...new Set([...(plan.treeSame ? (previousReads?.keys ?? []) : []), ...asked])].sort();
    files.manifest.trees[image] = { keys, hash: fingerprintReads(imageTree, keys) };
  }
  return { ...(await files.save()), warnings: [...warnings], masterId };
}
