import { parseStats } from '../rsync/output.js';

/** What one host's run came to: the row of the final table, of --json, and of the registry. */
export interface HostOutcome {
  host: string;
  result: 'ok' | 'failed' | 'skipped';
  image: string | null;
  version: string | null;
  files: number | null;
  bytesReceived: number | null;
  reason: string;
  seconds: number;
  /** The configure stages the host re-ran (or would), from its result line's `stages=`; null when it did not say. */
  stages?: string[] | null;
}

/** `si-updateclient: result=ok image=NAME version=N files=K bytes_received=B dry_run=0` (docs/updates.md). */
const RESULT_LINE = /^si-updateclient: result=(\S+)(.*)$/m;

/** The result line's fields; `reason=` runs to the end of the line, as it may hold spaces. */
export function parseResultLine(output: string): Record<string, string> | null {
  const lines = output.split('\n').filter((line) => RESULT_LINE.test(line));
  const line = lines.at(-1);
  if (!line) return null;
  const body = line.slice('si-updateclient: '.length);
  const reasonAt = body.search(/(^| )reason=/);
  const head = reasonAt >= 0 ? body.slice(0, reasonAt) : body;
  const fields: Record<string, string> = {};
  for (const pair of head.trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (reasonAt >= 0) fields.reason = body.slice(reasonAt).replace(/^ ?reason=/, '').trim();
  return fields;
}

const numberOrNull = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : null);

/**
 * The outcome of one si-updateclient run from its exit code and output. The result line is the contract;
 * without it (an older script) the exit code decides, rsync's --stats give the numbers, and the row says
 * "no result line".
 */
export function outcomeOfRun(
  host: string,
  run: { exitCode: number | null; stdout: string; stderr: string; seconds: number; rebooting: boolean },
  expected: { image: string; version: string | null },
): HostOutcome {
  const output = `${run.stdout}\n${run.stderr}`;
  const fields = parseResultLine(output);
  const stages = fields?.stages === undefined ? null : fields.stages.split(',').filter((stage) => stage !== '-' && stage !== '');
  const base = { host, image: fields?.image ?? expected.image, version: fields?.version ?? expected.version, seconds: run.seconds, stages };
  // With --reboot the connection may drop before the exit status arrives: the result line tells.
  const exitOk = run.exitCode === 0 || (run.rebooting && run.exitCode === null && fields?.result === 'ok');
  if (run.exitCode === 127) {
    return { ...base, result: 'failed', files: null, bytesReceived: null, reason: 'no /usr/local/sbin/si-updateclient on this client: reinstall it, or copy the script from an installed client (docs/updates.md)' };
  }
  if (fields && fields.result === 'ok' && exitOk) {
    return { ...base, result: 'ok', files: numberOrNull(fields.files), bytesReceived: numberOrNull(fields.bytes_received), reason: '' };
  }
  if (!fields && exitOk) {
    const stats = parseStats(run.stdout);
    const counted = /^Total bytes received:/m.test(run.stdout);
    // The script's own last words name the version: `updated / to image NAME version N`.
    const said = /^si-updateclient: updated \S+ to image (\S+) version (\S+)$/m.exec(run.stdout);
    if (said) Object.assign(base, { image: said[1], version: said[2] });
    return { ...base, result: 'ok', files: counted ? stats.transferredFiles : null, bytesReceived: counted ? stats.bytesReceived : null, reason: 'no result line' };
  }
  return { ...base, result: 'failed', files: null, bytesReceived: null, reason: failureReason(run, fields) };
}

function failureReason(run: { exitCode: number | null; stdout: string; stderr: string }, fields: Record<string, string> | null): string {
  const said =
    fields?.reason ||
    run.stderr
      .split('\n')
      .filter((line) => line.startsWith('si-updateclient: ') && !RESULT_LINE.test(line))
      .at(-1)
      ?.slice('si-updateclient: '.length) ||
    run.stderr.trim().split('\n').at(-1) ||
    `exit ${run.exitCode ?? 'without status (the connection dropped)'}`;
  // rsync names the cause further up; a full disk is the one an administrator must act on.
  const full = /No space left on device|Disk quota exceeded/.test(`${run.stdout}\n${run.stderr}`);
  const code = fields ? '' : ` (no result line, exit ${run.exitCode ?? '-'})`;
  return `${full ? 'no space left on the client: ' : ''}${said}${code}`;
}
