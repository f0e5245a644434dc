/**
 * The result of one update, as si-updateclient's last line on stdout says it and `si updateclient --json` prints
 * it: the contract with si pushupdate (docs/updates.md). The line is `PREFIX: result=ok image=NAME version=N
 * files=K bytes_received=B dry_run=0 stages=S`; a failure adds ` exit=C reason=TEXT`, reason last (it has spaces).
 */
export interface UpdateResult {
  result: 'ok' | 'failed';
  image: string;
  /** The version synced to (or listed), 'unknown' when the server names none or the run stopped before asking. */
  version: string;
  /** Paths created, changed or deleted (rsync's itemized list, directories whose only change is their time left out). */
  files: number;
  /** rsync --stats "Total bytes received", summed over the passes. */
  bytes_received: number;
  dry_run: boolean;
  /** The configure stages re-run (in a dry run: that would be); `stages=a,b` on the line, `-` for none. */
  stages: string[];
  exit?: number;
  reason?: string;
}

export function formatResultLine(prefix: string, result: UpdateResult): string {
  const fields = `result=${result.result} image=${result.image} version=${result.version} files=${result.files} bytes_received=${result.bytes_received} dry_run=${result.dry_run ? 1 : 0}`;
  const stages = ` stages=${result.stages.join(',') || '-'}`;
  const failure = result.result === 'failed' ? ` exit=${result.exit ?? 1} reason=${result.reason ?? ''}` : '';
  return `${prefix}: ${fields}${stages}${failure}`;
}

/** The result line in output (the last one when there are several), or null when there is none. */
export function parseResultLine(output: string): UpdateResult | null {
  const line = output
    .split('\n')
    .filter((each) => /^[\w-]+: result=(ok|failed) /.test(each))
    .at(-1);
  if (line === undefined) return null;
  const body = line.slice(line.indexOf(': ') + 2);
  const reasonAt = body.indexOf(' reason=');
  const head = reasonAt === -1 ? body : body.slice(0, reasonAt);
  const fields = new Map(head.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const));
  const number = (name: string) => Number(fields.get(name) ?? 0) || 0;
  const parsed: UpdateResult = {
    result: fields.get('result') === 'ok' ? 'ok' : 'failed',
    image: fields.get('image') ?? '',
    version: fields.get('version') ?? 'unknown',
    files: number('files'),
    bytes_received: number('bytes_received'),
    dry_run: fields.get('dry_run') === '1',
    stages: (fields.get('stages') ?? '-').split(',').filter((stage) => stage !== '-' && stage !== ''),
  };
  if (fields.has('exit')) parsed.exit = number('exit');
  if (reasonAt !== -1) parsed.reason = body.slice(reasonAt + ' reason='.length);
  return parsed;
}

/** An itemized line of rsync (`%i %n%L`) that counts as a change: not a directory whose only change is its time. */
export function isChangeLine(line: string): boolean {
  return /^[<>ch.*][fdLDS]/.test(line) && !/^\.d\.\.t\.{6} /.test(line);
}

/** What one rsync pass printed with --stats and --itemize-changes: the changes and the bytes received. */
export function summarizeRsync(stdout: string): { changes: string[]; bytesReceived: number } {
  const lines = stdout.split('\n');
  const received = lines.find((line) => line.startsWith('Total bytes received: '));
  return {
    changes: lines.filter(isChangeLine),
    bytesReceived: received ? Number(received.replace(/\D/g, '')) : 0,
  };
}
