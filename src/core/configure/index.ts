// The configurator's public surface, for the CLI, the registry and the autoinstall script.
export { planConfigure, type PlanConfigureOptions } from './build-plan.js';
export { checkHostConfig, type FilesystemConfig, type HostConfig, type InterfaceConfig } from './host-config.js';
export type { ConfigurePlan, StagePlan } from './plan.js';
export { renderPlanAsShell } from './shell.js';
export { shQuote } from '../shell-quote.js';
export { parseStages, STAGES, type StageName } from './stages.js';
export type { TreeReader } from './tree.js';
export { CATALOG } from './footprints/index.js';
