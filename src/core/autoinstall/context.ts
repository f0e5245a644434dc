import { PRESERVE_ALL } from '../rsync/argv.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { ConfigurePlan } from '../configure/plan.js';
import { renderShellHelpers } from '../configure/shell.js';
import { planUsesBootMac } from '../configure/boot-mac.js';
import type { LayoutContext } from './layout-context.js';
import { shellWords, shQuote } from '../shell-quote.js';
import { hostExcludes } from '../updates/excludes.js';

/** What templates/autoinstall/master.hbs sees. */
export interface MasterContext {
  image: string;
  /** The generation id this master carries (see generations.ts); '' while it is being worked out. */
  masterId?: string;
  imageWord: string;
  /** The server's SI_HOME, for si.transport=ssh. */
  sshHomeWord: string;
  /** Programs the detect phase checks for before touching anything. */
  tools: string;
  /** rsync's flags for copying the image, the same as a capture's (src/core/rsync/argv.ts). */
  rsyncPreserve: string;
  layout: LayoutContext;
  /** The si_cfg_* helpers the hosts' configure plans call (defined once here, not in every HOST.sh). */
  configureHelpers: string;
}

/** What templates/autoinstall/host.hbs sees. */
export interface HostScriptContext {
  /** The id of the master this script was rendered with: it runs against no other. */
  masterId: string;
  hostname: string;
  hostnameWord: string;
  image: string;
  imageWord: string;
  ipWord: string;
  macsWord: string;
  uuids: { index: number; uuid: string }[];
  preInstall: string;
  postInstall: string;
  overrides: string;
  stages: string;
  /** The host's configure plan as sh functions (renderPlanAsShell without helpers, run or #! line). */
  configure: string;
  /** The plan's files, one rsync pattern a line, as one sh word: what si-updateclient leaves alone. */
  updateExcludes: string;
  /** The plan configures the interface the host boots from (no MAC in the registry): the script needs SI_BOOT_MAC. */
  bootMac: boolean;
}

const MKFS: Record<string, string> = { ext4: 'mkfs.ext4', xfs: 'mkfs.xfs', btrfs: 'mkfs.btrfs', vfat: 'mkfs.vfat', swap: 'mkswap' };

export function buildMasterContext({ image, layout, sshHome }: { image: string; layout: LayoutContext; sshHome: string }): MasterContext {
  const tools = ['sfdisk', 'partx', 'blkid', 'blockdev', 'rsync', 'mount', 'umount', 'mountpoint', 'chroot'];
  for (const fs of layout.filesystems) tools.push(MKFS[fs.type] ?? fs.type);
  if (layout.raid.length > 0) tools.push('mdadm');
  if (layout.volumeGroups.length > 0) tools.push('wipefs', 'pvcreate', 'vgcreate', 'lvcreate');
  return { image, imageWord: shellWords([image]), sshHomeWord: shellWords([sshHome]), tools: [...new Set(tools)].join(' '), rsyncPreserve: shellWords(PRESERVE_ALL), layout, configureHelpers: renderShellHelpers().trimEnd() };
}

/** A space-separated list as one shell word ('' when empty). */
function listWord(words: readonly string[]): string {
  return words.length === 0 ? "''" : shellWords([words.join(' ')]);
}

export function buildHostScriptContext(options: {
  client: ClientRecord;
  image: string;
  masterId: string;
  uuids: readonly string[];
  preInstall: readonly string[];
  postInstall: readonly string[];
  overrides: readonly string[];
  plan: ConfigurePlan;
  configureShell: string;
}): HostScriptContext {
  const { client, image, plan } = options;
  return {
    masterId: options.masterId,
    hostname: client.hostname,
    hostnameWord: shellWords([client.hostname]),
    image,
    imageWord: shellWords([image]),
    ipWord: shellWords([client.ip]),
    macsWord: listWord(client.macs),
    uuids: options.uuids.map((uuid, index) => ({ index, uuid })),
    preInstall: listWord(options.preInstall),
    postInstall: listWord(options.postInstall),
    overrides: listWord(options.overrides),
    stages: listWord(plan.stages.map((stage) => stage.stage)),
    // Its #! line goes: this file has its own.
    configure: options.configureShell.replace(/^#!.*\n/, '').trimEnd(),
    updateExcludes: shQuote(hostExcludes(plan).join('\n')),
    bootMac: planUsesBootMac(plan),
  };
}
