import { UserError } from '../errors.js';

/** The one line for a golden client that never answered, whichever ssh stack waited for it. */
export function noAnswerError(where: string, seconds: number): UserError {
  return new UserError(`cannot reach ${where}: no answer within ${seconds} s; check the address, --ssh-port and that sshd runs there`);
}
