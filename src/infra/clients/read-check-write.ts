import { UserError } from '../../core/errors.js';
import type { ClientStore } from '../../core/registry/client-store.js';

/**
 * The transaction rule: a registry change is planned from what the registry holds and written in one
 * immediate transaction, planned again inside it so the check sees exactly what the write changes.
 * The plan is made once outside first: a refusal there is about the request itself; a refusal that only
 * appears inside means another si wrote between the two, and says so.
 */
export function readCheckWrite<P>(store: ClientStore, plan: () => P, apply: (plan: P) => void, { dryRun }: { dryRun: boolean }): P {
  const outside = plan();
  if (dryRun) return outside;
  return store.writeTransaction(() => {
    let inside: P;
    try {
      inside = plan();
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`another si changed the registry meanwhile: ${error.message}`, error.exitCode);
      throw error;
    }
    apply(inside);
    return inside;
  });
}
