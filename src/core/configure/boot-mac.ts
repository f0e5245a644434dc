import type { ConfigurePlan } from './plan.js';

/**
 * A MAC-less host's network goes on the interface it booted from, whose MAC only the installer knows: the
 * plan holds this token where that MAC goes (file contents, like `auto mac/${SI_BOOT_MAC}/=nic0`). The
 * shell applier expands it from $SI_BOOT_MAC; applyPlan substitutes its `bootMac` option.
 */
export const BOOT_MAC_TOKEN = '${SI_BOOT_MAC}';

/** Lower-case colon form, the only form the token is replaced with (it lands in config files). */
export const BOOT_MAC_FORM = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Whether a stage of the plan needs the boot MAC. */
export function planUsesBootMac(plan: ConfigurePlan): boolean {
  return plan.stages.some(
    (stage) =>
      stage.write.some((w) => w.path.includes(BOOT_MAC_TOKEN) || w.content.includes(BOOT_MAC_TOKEN)) ||
      stage.commands.some((c) => c.argv.some((word) => word.includes(BOOT_MAC_TOKEN))),
  );
}

/** The plan with the boot MAC in place of the token (for applyPlan); `mac` in BOOT_MAC_FORM. */
export function withBootMac(plan: ConfigurePlan, mac: string): ConfigurePlan {
  if (!BOOT_MAC_FORM.test(mac)) throw new Error(`withBootMac: ${mac} is not a lower-case colon MAC`);
  const put = (text: string) => text.replaceAll(BOOT_MAC_TOKEN, mac);
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({
      ...stage,
      write: stage.write.map((w) => ({ ...w, path: put(w.path), content: put(w.content) })),
      commands: stage.commands.map((c) => ({ ...c, argv: c.argv.map(put) })),
    })),
  };
}
