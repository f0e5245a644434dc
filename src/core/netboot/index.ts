export { decideBoot, type BootChoice } from './boot-decision.js';
export { mergeKernelArgs } from './kernel-args.js';
export { parseNetbootSettings, type BootEntry, type NetbootSettings } from './settings.js';
export { planBootMenu, installerArgs, httpBase, type BootMenu, type MenuEntry } from './boot-menu.js';
export { planDhcp, keaConfig, type DhcpContext } from './dhcp-plan.js';
export { planNetboot, planIpxeScript, hexIp, type NetbootFile, type NetbootRoot, type PlanNetbootOptions } from './plan-netboot.js';
