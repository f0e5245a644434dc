import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatIdentityRecord } from '../../core/configure/identity.js';
import type { ConfigurePlan, FileWrite, StagePlan } from '../../core/configure/plan.js';
import { planUsesBootMac, withBootMac } from '../../core/configure/boot-mac.js';
import { BOOT_DISK_TOKEN } from '../../core/configure/shell.js';
import type { StageName } from '../../core/configure/stages.js';
import { expandGlob } from '../../core/configure/tree.js';
import { UserError } from '../../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { run } from '../run.js';
import { createFsTree } from './fs-tree.js';
import { resolveInRoot } from './root-path.js';

export interface ApplyChange {
  stage: StageName;
  action: 'write' | 'chmod' | 'remove' | 'link' | 'machine-id' | 'drop-golden' | 'command' | 'record';
  path?: string;
  argv?: string[];
}

export interface ApplyPlanOptions {
  root: string;
  plan: ConfigurePlan;
  /** Report what would change, change nothing, run nothing. */
  dryRun?: boolean;
  /** Runs a chrooted command (argv starts with 'chroot', root); `run` by default. */
  runCommand?: (argv: string[]) => Promise<unknown>;
  /** Replaces BOOT_DISK_TOKEN in command arguments (a plan rendered for install); required when the plan has it. */
  bootDisk?: string;
  /** Replaces BOOT_MAC_TOKEN (a host without a MAC: the interface it booted from); required when the plan has it. */
  bootMac?: string;
}

const lstatOrNull = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
};

const fileDigest = (hostPath: string): string | undefined => {
  try {
    return statSync(hostPath).isFile() ? createHash('sha256').update(readFileSync(hostPath)).digest('hex') : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Applies a plan to a root tree; every step is a no-op when the tree is already as planned, so a
 * second run changes nothing (chrooted commands still run: they are idempotent themselves).
 * Files are replaced atomically (temp file + rename). Commands need whatever the chroot needs
 * (/dev, /proc, /sys for bootloaders): mounting those is the caller's business.
 */
export async function applyPlan(options: ApplyPlanOptions): Promise<ApplyChange[]> {
  const { root, dryRun = false } = options;
  if (planUsesBootMac(options.plan) && !options.bootMac) {
    throw new UserError(
      `${options.plan.host} has no MAC in the registry, so its network goes on the interface it boots from: give that interface's MAC (--boot-mac or SI_BOOT_MAC), or add the host's MAC (si client set ${options.plan.host} --macs MAC)`,
    );
  }
  const plan = options.bootMac ? withBootMac(options.plan, options.bootMac) : options.plan;
  const runCommand = options.runCommand ?? ((argv: string[]) => run(argv));
  const stat = lstatOrNull(root);
  if (!stat?.isDirectory()) throw new UserError(`root ${root} is not a directory: give the mounted root tree of the host`);
  const changes: ApplyChange[] = [];
  const withBootDisk = (argv: string[]) => argv.map((word) => (word.includes(BOOT_DISK_TOKEN) ? word.replaceAll(BOOT_DISK_TOKEN, options.bootDisk ?? '') : word));
  const tokenized = plan.stages.some((stage) => stage.commands.some((command) => command.argv.some((word) => word.includes(BOOT_DISK_TOKEN))));
  if (tokenized && !options.bootDisk) {
    throw new UserError(`the plan for ${plan.host} leaves the boot disk to install time (${BOOT_DISK_TOKEN}); give the boot disk (bootDisk)`);
  }

  const writeFile = (stage: StageName, write: FileWrite, action: ApplyChange['action'] = 'write') => {
    const dest = resolveInRoot(root, write.path, { followLast: false });
    const mode = parseInt(write.mode, 8);
    const current = lstatOrNull(dest);
    if (current?.isFile() && readFileSync(dest, 'utf8') === write.content) {
      if ((current.mode & 0o7777) === mode) return;
      changes.push({ stage, action: 'chmod', path: write.path });
      if (!dryRun) chmodSync(dest, mode);
      return;
    }
    changes.push({ stage, action, path: write.path });
    if (dryRun) return;
    mkdirSync(dirname(dest), { recursive: true });
    writeFileAtomic(dest, write.content, { mode });
  };

  const applyStage = async (stage: StagePlan) => {
    const name = stage.stage;
    for (const action of stage.identity) {
      const hostPath = resolveInRoot(root, action.path);
      const digest = fileDigest(hostPath);
      if (action.kind === 'fresh-machine-id') {
        if (digest !== undefined && !action.replace.includes(digest)) continue;
        // randomUUID is a random v4 UUID; without dashes it is systemd's machine-id format.
        writeFile(name, { path: action.path, mode: '0444', content: `${randomUUID().replaceAll('-', '')}\n` }, 'machine-id');
      } else if (digest === action.sha256) {
        changes.push({ stage: name, action: 'drop-golden', path: action.path });
        if (!dryRun) unlinkSync(hostPath);
      }
    }
    for (const path of stage.remove) {
      const hostPath = resolveInRoot(root, path, { followLast: false });
      if (!lstatOrNull(hostPath)) continue;
      changes.push({ stage: name, action: 'remove', path });
      if (!dryRun) unlinkSync(hostPath);
    }
    for (const write of stage.write) writeFile(name, write);
    for (const link of stage.links) {
      const hostPath = resolveInRoot(root, link.path, { followLast: false });
      const current = lstatOrNull(hostPath);
      if (current?.isSymbolicLink() && readlinkSync(hostPath) === link.target) continue;
      changes.push({ stage: name, action: 'link', path: link.path });
      if (dryRun) continue;
      mkdirSync(dirname(hostPath), { recursive: true });
      if (current) unlinkSync(hostPath);
      symlinkSync(link.target, hostPath);
    }
    for (const command of stage.commands) {
      const argv = withBootDisk(command.argv);
      changes.push({ stage: name, action: 'command', argv });
      if (!dryRun) await runCommand(['chroot', root, ...argv]);
    }
    if (stage.record) {
      const tree = createFsTree(root);
      const entries = stage.record.files
        .flatMap((glob) => expandGlob(tree, glob))
        .flatMap((path) => {
          const sha256 = tree.sha256(path);
          return sha256 === undefined ? [] : [{ path, sha256 }];
        });
      writeFile(name, { path: stage.record.path, mode: '0644', content: formatIdentityRecord(stage.record.host, entries) }, 'record');
    }
  };

  for (const stage of plan.stages) await applyStage(stage);
  return changes;
}
