export { decideBinding, naturalCompare, type BindDecision } from './bind-plan.js';
export { type UnknownMac } from './unknown-mac.js';
