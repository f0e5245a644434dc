import type { SystemInfo } from './tree.js';
import type { StageName } from './stages.js';

/**
 * A per-host configure plan: deterministic JSON (no random values; identity is expressed as
 * actions the appliers carry out), applied by applyPlan() or rendered by renderPlanAsShell().
 * Appliers run each stage in this order: identity, remove, write, links, commands, record.
 */
export interface ConfigurePlan {
  format: 1;
  host: string;
  system: SystemInfo;
  stages: StagePlan[];
}

export interface StagePlan {
  stage: StageName;
  /** Ids of the footprints that apply, in catalog order. */
  footprints: string[];
  identity: IdentityAction[];
  remove: string[];
  write: FileWrite[];
  links: LinkAction[];
  commands: PlanCommand[];
  /** Digests of the host's own identity files, written last (identity stage only). */
  record: IdentityRecordAction | null;
  /** What the stage could not do: always names the stage and the reason. */
  warnings: string[];
}

export interface FileWrite {
  path: string;
  /** Octal, e.g. '0644'. */
  mode: string;
  content: string;
}

export interface LinkAction {
  path: string;
  target: string;
}

export interface PlanCommand {
  argv: string[];
  chroot: true;
}

export type IdentityAction =
  /** Write a fresh 32-hex machine id when the file is missing or its sha256 is one of `replace`. */
  | { kind: 'fresh-machine-id'; path: string; replace: string[] }
  /** Remove the file when its sha256 is still the golden client's. */
  | { kind: 'drop-golden'; path: string; sha256: string };

export interface IdentityRecordAction {
  path: string;
  host: string;
  /** Globs (wildcards in the last segment only) of the files whose digests are recorded. */
  files: string[];
}

export function emptyStagePlan(stage: StageName): StagePlan {
  return { stage, footprints: [], identity: [], remove: [], write: [], links: [], commands: [], record: null, warnings: [] };
}

export function stageChangesNothing(stage: StagePlan): boolean {
  return (
    stage.identity.length + stage.remove.length + stage.write.length + stage.links.length + stage.commands.length === 0
  );
}
