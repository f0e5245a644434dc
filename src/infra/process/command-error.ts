/**
 * A command that failed. Callers branch on the fields, never on the message: argv (as given, without the
 * runner's own wrapper), exitCode (undefined when it did not start or was killed), signal, the tail of
 * stderr, and whether it timed out.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly stderrTail: string,
    readonly timedOut: boolean,
  ) {
    const how = timedOut
      ? 'timed out'
      : signal
        ? `was killed by ${signal}`
        : exitCode === undefined
          ? 'could not start'
          : `exited with ${exitCode}`;
    const tail = stderrTail ? `: ${stderrTail.split('\n').filter(Boolean).slice(-1)[0] ?? ''}` : '';
    super(`${argv[0]} ${how}${tail}`);
  }
}
