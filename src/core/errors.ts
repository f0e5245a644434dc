/**
 * A problem the user can fix: a one-line message that names the problem and the fix.
 * The CLI prints `si: <message>` and exits with `exitCode`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** A bug in sisuite: printed with a request to report it. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
