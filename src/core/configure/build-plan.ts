import { buildContext, type PlanContext } from './context.js';
import { describeSlot, detectFootprints } from './detect.js';
import type { Footprint, HostNeed } from './footprint.js';
import { planCommands, planEdits, planFiles, planLinks, planRemovals, type TemplateRenderer } from './footprint-actions.js';
import { CATALOG, REQUIRED_SLOTS } from './footprints/index.js';
import type { HostConfig } from './host-config.js';
import { identityRecord, planIdentity, readOwnIdentity } from './identity.js';
import { emptyStagePlan, type ConfigurePlan, type FileWrite, type StagePlan } from './plan.js';
import { STAGES, type StageName } from './stages.js';
import { expandGlob, readSystemInfo, type SystemInfo, type TreeReader } from './tree.js';

export interface PlanConfigureOptions {
  tree: TreeReader;
  host: HostConfig;
  renderer: TemplateRenderer;
  /** Stages to plan; host.stages, else all. */
  stages?: readonly StageName[];
  /** The footprint catalog; the shipped one by default. */
  catalog?: readonly Footprint[];
  /** prepareTree() of the same tree and catalog, done once for many hosts (the autoinstall scripts). */
  prepared?: PreparedTree;
}

/** What planning learns from a tree regardless of the host: worked out once when many hosts share the tree. */
export interface PreparedTree {
  system: SystemInfo;
  /** detectFootprints() of the tree and catalog, every stage. */
  detected: readonly Footprint[];
}

export function prepareTree({ tree, catalog = CATALOG }: { tree: TreeReader; catalog?: readonly Footprint[] }): PreparedTree {
  return { system: readSystemInfo(tree), detected: detectFootprints({ tree, catalog }) };
}

const NEED_MISSING: Record<HostNeed, (context: PlanContext) => string | null> = {
  interfaces: (c) => (c.interfaces.length ? null : 'the host has no network interfaces'),
  bootDisk: (c) => (c.host.bootDisk ? null : 'the host has no boot disk (bootDisk)'),
  rootFilesystem: (c) => (c.root ? null : 'the host has no / filesystem'),
  filesystems: (c) => (c.filesystems.length ? null : 'the host has no filesystems'),
  timezone: (c) => (c.host.timezone ? null : 'the host has no time zone'),
  keymap: (c) => (c.host.keymap ? null : 'the host has no keymap'),
};

function whyNot(fp: Footprint, tree: TreeReader, renderer: TemplateRenderer, context: PlanContext): string | null {
  for (const need of fp.needs ?? []) {
    const missing = NEED_MISSING[need](context);
    if (missing) return missing;
  }
  for (const required of fp.requires ?? []) {
    const path = renderer.renderInline(required, context);
    if (expandGlob(tree, path).length === 0) return `${path} is missing from the tree`;
  }
  return null;
}

function upsert(writes: FileWrite[], write: FileWrite): void {
  const index = writes.findIndex((existing) => existing.path === write.path);
  if (index >= 0) writes[index] = write;
  else writes.push(write);
}

interface StageInputs extends PlanConfigureOptions {
  catalog: readonly Footprint[];
  base: PlanContext;
  /** The host's own identity files (readOwnIdentity). */
  own: Map<string, string>;
}

function planStage(stage: StageName, matched: Footprint[], options: StageInputs): StagePlan {
  const { tree, renderer, catalog, base, host, own } = options;
  const plan = emptyStagePlan(stage);
  for (const slot of REQUIRED_SLOTS[stage]) {
    if (!matched.some((fp) => fp.slot === slot)) {
      plan.warnings.push(`stage ${stage}: no footprint matches (no ${describeSlot(catalog, slot)} found); nothing written`);
    }
  }
  const owned: string[] = [];
  const active: Footprint[] = [];
  for (const fp of matched) {
    const context = { ...base, vars: { ...(fp.vars ?? {}) } };
    const reason = whyNot(fp, tree, renderer, context);
    if (reason) {
      plan.warnings.push(`stage ${stage}: footprint ${fp.id}: ${reason}; it does nothing`);
      continue;
    }
    active.push(fp);
    plan.footprints.push(fp.id);
    if (fp.warning) plan.warnings.push(`stage ${stage}: footprint ${fp.id}: ${fp.warning}`);
    const inputs = { tree, renderer, context };
    for (const write of [...planFiles(fp, inputs), ...planEdits(fp, inputs)]) upsert(plan.write, write);
    plan.links.push(...planLinks(fp, inputs));
    plan.commands.push(...planCommands(fp, inputs));
    if (fp.identity) {
      const identity = planIdentity(tree, fp.identity, own);
      plan.identity.push(...identity.actions);
      owned.push(...identity.owned);
    }
  }
  const written = new Set([...plan.write.map((w) => w.path), ...plan.links.map((l) => l.path)]);
  for (const fp of active) {
    for (const path of planRemovals(fp, { tree, renderer, context: base }, written)) {
      if (!plan.remove.includes(path)) plan.remove.push(path);
    }
  }
  plan.record = identityRecord(host.hostname, owned);
  return plan;
}

/** Detects the footprints in a root tree and builds the host's plan. Pure: reads only through `tree`. */
export function planConfigure(options: PlanConfigureOptions): ConfigurePlan {
  const { tree, host } = options;
  const catalog = options.catalog ?? CATALOG;
  const system = options.prepared?.system ?? readSystemInfo(tree);
  const stages = STAGES.filter((stage) => (options.stages ?? host.stages ?? STAGES).includes(stage));
  const matched = options.prepared?.detected ?? detectFootprints({ tree, catalog, stages });
  const base = buildContext({ tree, host, system });
  const own = readOwnIdentity(tree, host.hostname);
  const inputs: StageInputs = { ...options, catalog, base, own };
  return {
    format: 1,
    host: host.hostname,
    system,
    stages: stages.map((stage) =>
      planStage(
        stage,
        matched.filter((fp) => fp.stage === stage),
        inputs,
      ),
    ),
  };
}
