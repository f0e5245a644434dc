import { createHash } from 'node:crypto';
import type { ClientRecord } from '../clients/client-record.js';
import { selectHooks } from './hooks.js';
import { staleFiles, type Manifest } from './manifest.js';
import { groupClasses, overrideOrder, type GroupOverrides } from './override-order.js';

export const sha256 = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');

/** What a render of one image decides before it renders anything (si mkautoinstallscript --dry-run prints it). */
export interface RenderPlanOptions {
  image: string;
  clients: readonly ClientRecord[];
  groups: ReadonlyMap<string, GroupOverrides>;
  /** Hook file names under hooks/pre-install and hooks/post-install. */
  hooks: { pre: readonly string[]; post: readonly string[] };
  /** Names of the override trees on the server, and where they live (for warnings). */
  overrideTrees: ReadonlySet<string>;
  overridesDir: string;
  /** Digests of everything the master, install.sh, and every host's plan (beyond its record) are made from. */
  masterInputs: string;
  installInputs: string;
  hostCommon: string;
  /** The image answers what planning asked last time as it did then. */
  treeSame: boolean;
  /** The manifest of the generation served now, and the size of one of its files (undefined: missing). */
  manifest: Manifest;
  sizeOf: (name: string) => number | undefined;
}

export type FileAction = 'keep' | 'render';

export interface HostPlan {
  hostname: string;
  file: string;
  /** Its groups, each followed by the group's own override trees: what selects hooks. */
  classes: string[];
  overrides: string[];
  preInstall: string[];
  postInstall: string[];
  /** sha256 of everything its script is made from. */
  inputs: string;
  /** keep: same inputs as the served file, which is there at its size; render: render it (written if it differs). */
  action: FileAction;
}

export interface RenderPlan {
  image: string;
  master: { file: string; inputs: string; action: FileAction };
  install: { file: string; inputs: string; action: FileAction };
  hosts: HostPlan[];
  /** Hook copies the generation carries (`pre-install/NAME`), for every image. */
  hooks: string[];
  /** Files of this image (or shared) that the served generation has and the next one will not. */
  remove: string[];
  /** The image answers what planning asked last time as it did then. */
  treeSame: boolean;
  warnings: string[];
}

export const HOST_TABLE = 'hosts';
export const INSTALL_SCRIPT = 'install.sh';
export const masterFile = (image: string) => `${image}.master`;
export const hookFile = (kind: 'pre-install' | 'post-install', name: string) => `${kind}/${name}`;

export function planRender(options: RenderPlanOptions): RenderPlan {
  const { image, clients, hooks, manifest, sizeOf } = options;
  const current = (name: string, owner: string, inputs: string): FileAction => {
    const entry = manifest.files[name];
    const same = entry !== undefined && entry.image === owner && entry.inputs === inputs && sizeOf(name) === entry.size;
    return same ? 'keep' : 'render';
  };
  const master = { file: masterFile(image), inputs: options.masterInputs, action: current(masterFile(image), image, options.masterInputs) };
  // A master without a recorded id cannot be named by host scripts: render it.
  if (manifest.masters[image] === undefined) master.action = 'render';
  const install = { file: INSTALL_SCRIPT, inputs: options.installInputs, action: current(INSTALL_SCRIPT, '*', options.installInputs) };
  const warnings = new Set<string>();
  const hosts = clients.map((client): HostPlan => {
    const classes = groupClasses(client, options.groups);
    const selected = {
      pre: selectHooks({ names: hooks.pre, image, groups: classes, host: client.hostname }),
      post: selectHooks({ names: hooks.post, image, groups: classes, host: client.hostname }),
    };
    const overrides = overrideOrder({ classes, own: client.overrides, available: options.overrideTrees });
    for (const missing of client.overrides.filter((o) => !options.overrideTrees.has(o))) {
      warnings.add(`client ${client.hostname} names override ${missing}, which has no tree under ${options.overridesDir}; it is skipped`);
    }
    const inputs = sha256(JSON.stringify({ common: options.masterInputs, catalog: options.hostCommon, client, groups: classes, selected, overrides }));
    const file = `${client.hostname}.sh`;
    const action = options.treeSame && master.action === 'keep' ? current(file, image, inputs) : 'render';
    return { hostname: client.hostname, file, classes, overrides, preInstall: selected.pre, postInstall: selected.post, inputs, action };
  });
  const hookFiles = [...hooks.pre.map((n) => hookFile('pre-install', n)), ...hooks.post.map((n) => hookFile('post-install', n))];
  const produced = new Set([master.file, install.file, HOST_TABLE, ...hookFiles, ...hosts.map((h) => h.file)]);
  const remove = [...staleFiles({ manifest, image, produced }), ...staleFiles({ manifest, image: '*', produced })].sort();
  return { image, master, install, hosts, hooks: hookFiles, remove, treeSame: options.treeSame, warnings: [...warnings] };
}
