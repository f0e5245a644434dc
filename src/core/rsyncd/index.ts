export { networksOfClients } from './networks.js';
export {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TIMEOUT,
  LOCALHOST,
  RESERVED_MODULES,
  planRsyncdConf,
  rsyncdPaths,
  type PlanRsyncdConfOptions,
  type RsyncdConfContext,
  type RsyncdModule,
  type RsyncdPaths,
} from './plan-rsyncd-conf.js';
export { planRsyncdUnit, quoteSystemd, type PlanRsyncdUnitOptions, type RsyncdUnitContext } from './plan-rsyncd-unit.js';
