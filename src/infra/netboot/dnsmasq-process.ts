import { UserError } from '../../core/errors.js';
import { startProcess, type ProcessExit } from '../run.js';

export interface RunningDnsmasq {
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  /** SIGHUP: dnsmasq re-reads the dhcp-hostsfile (and the leases stay). */
  reload(): boolean;
  stop(): Promise<void>;
}

/** dnsmasq binds its sockets before it says this; a bind failure exits 2 first. */
const READY = /dnsmasq(?:\[\d+\])?: started, version/;
/** Binding takes milliseconds; the bound is for a machine under heavy load. */
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5000;

/** dnsmasq in the foreground on our config, as root (it must bind 67 and 69), logging to stderr. */
export function dnsmasqArgv(conf: string): string[] {
  return ['dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, '--user=root', '--group=root'];
}

/**
 * Starts dnsmasq and resolves once it has bound its sockets. Each line of its log goes to `onLine`. A
 * dnsmasq that is missing or exits at start (a DHCP server already on the interface, a broken config) is a
 * UserError with its last line, so `si netboot serve` stops with one line and leaves nothing running.
 */
export async function startDnsmasq(conf: string, options: { onLine: (line: string) => void; signal: AbortSignal; iface: string; logFile: string }): Promise<RunningDnsmasq | null> {
  let rest = '';
  let seen = '';
  const onStderr = (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (seen.length < 4096) seen += `${line}\n`;
      options.onLine(line);
    }
  };
  // Its whole log is kept for diagnosis (log/dnsmasq.log); the request log takes what it needs from it.
  const handle = startProcess(dnsmasqArgv(conf), { onStderr, stderrTailBytes: 8192, stderrFile: options.logFile, appendOutput: true });
  const readiness = await handle.waitReady(() => READY.test(seen), { timeoutMs: START_TIMEOUT_MS, signal: options.signal });
  if (readiness === 'ready') {
    return { pid: handle.pid, exited: handle.exited, reload: () => handle.signal('SIGHUP'), stop: async () => void (await handle.stop({ graceMs: STOP_GRACE_MS })) };
  }
  const exit = await handle.stop({ graceMs: STOP_GRACE_MS });
  if (readiness === 'aborted') return null;
  if (!exit.started) throw new UserError('dnsmasq is not installed on this server: install it (apt-get install dnsmasq-base) and run si netboot serve again');
  throw new UserError(explainStart(exit.stderrTail, options.iface, readiness === 'timed-out'));
}

function explainStart(stderr: string, iface: string, timedOut: boolean): string {
  const last = stderr.trim().split('\n').filter(Boolean).at(-1)?.replace(/^dnsmasq(?:\[\d+\])?:\s*/, '') ?? 'no message';
  if (timedOut) return `dnsmasq did not start within ${START_TIMEOUT_MS / 1000} s (${last}): see the messages above`;
  if (/Address (?:already )?in use/i.test(last)) {
    return `dnsmasq could not start (${last}): another DHCP or TFTP server runs on ${iface}; stop it, or run beside the site's DHCP server with --proxy-dhcp`;
  }
  return `dnsmasq could not start (${last}): fix the cause, then run si netboot serve again`;
}
