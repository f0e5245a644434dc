import fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { normalizeMac } from '../../core/clients/mac.js';
import { buildLayoutContext } from '../../core/autoinstall/layout-context.js';
import { installHostConfig } from '../../core/autoinstall/client-host.js';
import { parseStages } from '../../core/configure/stages.js';
import type { HostConfig } from '../../core/configure/host-config.js';
import type { ImageStore } from '../../infra/images/image-store.js';
import { planForRoot } from '../../infra/configure/plan-root.js';
import { applyPlan, type ApplyChange } from '../../infra/configure/apply-plan.js';
import { mountChrootFilesystems } from '../../infra/configure/chroot-mounts.js';
import { refuseRunningSystem } from '../../infra/configure/running-system.js';
import type { ConfigurePlan } from '../../core/configure/plan.js';
import { run } from '../../infra/run.js';
import { onStopSignals } from '../../infra/process/stop-signals.js';
import { withStore } from '../context.js';
import { note, printJson, printLine } from '../output.js';
import { installLayoutOf } from '../../infra/images/install-layout.js';

interface ConfigureOptions {
  host: string;
  image?: string;
  root?: string;
  plan?: boolean;
  stages?: string;
  bootDisk?: string;
  bootMac?: string;
  dryRun?: boolean;
  json?: boolean;
  iMeanTheRunningSystem?: boolean;
}

/**
 * si configure: the per-host plan of an image (--plan), or applied to a root tree (--root). The host comes
 * from the registry with the filesystems (and their UUIDs) its install layout gives it, so `--root` on a copy
 * of the image leaves what the install script's configure phase leaves.
 */
export async function configureCommand(options: ConfigureOptions, command: Command): Promise<void> {
  const hostname = checkName('host', options.host);
  const stages = parseStages(options.stages);
  // The installer exports SI_BOOT_MAC; a hand run may set it or give --boot-mac.
  const bootMacText = options.bootMac ?? (process.env.SI_BOOT_MAC || undefined);
  const bootMac = bootMacText === undefined ? undefined : normalizeMac(bootMacText);
  if (!options.root && !(options.image && options.plan)) throw new UserError('give --root DIR to configure a tree, or --image NAME --plan to print the plan');
  if (options.root && !isDirectory(options.root)) throw new UserError(`root ${options.root} is not a directory: give the root tree of an image or a mounted host`);
  if (options.root && !options.iMeanTheRunningSystem) refuseRunningSystem(options.root);
  await withStore(command, async (store) => {
    const { host, image } = hostFromRegistry(store, hostname, options.image);
    const root = options.root ?? fs.realpathSync(`${store.paths.images}/${image}`);
    const plan = planForRoot({ root, host: { ...host, stages }, siteDir: store.paths.templates });
    const warnings = plan.stages.flatMap((s) => s.warnings);
    if (options.plan) return printJson(plan);
    const changes = await applyWithMounts(root, plan, { ...options, bootMac });
    if (options.json) return printJson({ host: hostname, root, dryRun: Boolean(options.dryRun), changes, warnings });
    for (const warning of warnings) note(`warning: ${warning}`);
    for (const change of changes) printLine(`${change.stage.padEnd(10)} ${change.action.padEnd(11)} ${change.path ?? change.argv?.join(' ') ?? ''}`);
    printLine(`${options.dryRun ? 'would make' : 'made'} ${changes.length} changes for ${hostname} in ${root}`);
  });
}

/**
 * Applies the plan with /dev, /proc and /sys mounted in the root for its chrooted commands, and removed
 * after, also when a command fails or si is stopped (SIGINT/SIGTERM stop the running command first).
 */
async function applyWithMounts(root: string, plan: ConfigurePlan, options: ConfigureOptions): Promise<ApplyChange[]> {
  const dryRun = Boolean(options.dryRun);
  const hasCommands = plan.stages.some((stage) => stage.commands.length > 0);
  const stop = onStopSignals();
  try {
    const mounts = dryRun || !hasCommands ? null : await mountChrootFilesystems(root);
    for (const stale of mounts?.removedStale ?? []) note(`removed ${stale}, left mounted by an interrupted si configure`);
    let changes: ApplyChange[];
    try {
      changes = await applyPlan({ root, plan, dryRun, bootDisk: options.bootDisk, bootMac: options.bootMac, runCommand: (argv) => run(argv, { signal: stop.signal, forceKillAfterMs: 5000 }) });
    } catch (error) {
      if (stop.signal.aborted) throw new UserError(`stopped by a signal; the tree ${root} is partly configured: run si configure again`, 130);
      throw error;
    } finally {
      await mounts?.release();
    }
    if (stop.signal.aborted) throw new UserError(`stopped by a signal after the last step; run si configure again to check the tree ${root}`, 130);
    return changes;
  } finally {
    stop.dispose();
  }
}

function hostFromRegistry(store: ImageStore, hostname: string, imageOption: string | undefined): { host: HostConfig; image: string } {
  const client = store.clients.findClient(hostname);
  if (!client) throw new UserError(`no client named ${hostname}: add it with 'si addclients' first`);
  const image = imageOption ? checkName('image', imageOption) : client.image;
  const layout = buildLayoutContext(installLayoutOf(store, image).layout);
  return { host: installHostConfig({ client, image, layout }).host, image };
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}
