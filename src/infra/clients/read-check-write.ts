import { UserError } from '../../core/errors.js';
import type { ClientStore } from '../../core/registry/client-store.js';

/**
 * The transaction rule: a registry change is planned from what the registry holds and written in one
 * immediate transaction, so the check sees exactly what the write changes. A refusal made after another
 * process committed (while this one waited for the write lock) says so: the request met a registry that
 * changed under it.
 */
export function readCheckWrite<P>(store: ClientStore, plan: () => P, apply: (plan: P) => void, { dryRun }: { dryRun: boolean }): P {
  if (dryRun) return plan();
  const seen = store.changeMark();
  return store.writeTransaction(() => {
    let planned: P;
    try {
      planned = plan();
    } catch (error) {
      if (error instanceof UserError && store.changeMark() !== seen) {
        throw new UserError(`another si changed the registry meanwhile: ${error.message}`, error.exitCode);
      }
      throw error;
    }
    apply(planned);
    return planned;
  });
}
