import type { ClientRecord } from '../../core/clients/client-record.js';
import type { HostOutcome } from '../../infra/pushupdate/outcome.js';
import { formatBytes, note } from '../output.js';

export interface HostProgress {
  started(client: ClientRecord): void;
  done(outcome: HostOutcome): void;
  stop(): void;
}

/**
 * Hosts of a parallel run as they go: one line rewritten in place on a terminal (done, running, failed),
 * elsewhere one plain line per finished host (a log or a pipe keeps every line).
 */
export function hostProgress({ total, quiet }: { total: number; quiet: boolean }): HostProgress {
  if (quiet) return { started() {}, done() {}, stop() {} };
  let running = 0;
  let finished = 0;
  let failed = 0;
  if (process.stderr.isTTY) {
    let shown = false;
    const show = () => {
      shown = true;
      process.stderr.write(`\r\x1b[K  ${finished}/${total} done, ${running} running, ${failed} failed`);
    };
    return {
      started() {
        running += 1;
        show();
      },
      done(outcome) {
        running -= 1;
        finished += 1;
        if (outcome.result === 'failed') failed += 1;
        show();
      },
      stop() {
        if (shown) process.stderr.write('\r\x1b[K');
      },
    };
  }
  return {
    started() {},
    done(o) {
      finished += 1;
      const what = o.result === 'ok' ? `ok, ${o.files ?? '?'} files, ${o.bytesReceived === null ? '?' : formatBytes(o.bytesReceived)}` : `failed: ${o.reason}`;
      note(`  [${finished}/${total}] ${o.host}: ${what}`);
    },
    stop() {},
  };
}
