// Every child the runner starts dies with si, even when si is killed with SIGKILL (PR_SET_PDEATHSIG).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../../../src/infra/run.js';
import { ensureBuilt } from '../../support/si.js';

const PARENT = fileURLToPath(new URL('./fixtures/parent.mjs', import.meta.url));

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('children die with their parent', () => {
  it('SIGKILL of the parent takes a daemon handle and every pipeline stage with it', async () => {
    await ensureBuilt();
    const parent = startProcess([process.execPath, PARENT]);
    let line = '';
    try {
      // Three children, each past setpriv's exec into its program.
      const names = () => childrenOf(parent.pid ?? 0).map((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).sort().join(' ');
      const ready = await parent.waitReady(() => names() === 'cat sleep sleep', { timeoutMs: 20_000 });
      expect(ready, `${names()} ${parent.stderrTail()}`).toBe('ready');
      const children = childrenOf(parent.pid ?? 0);
      line = children.join(' ');
      parent.signal('SIGKILL');
      await parent.exited;
      const deadline = Date.now() + 10_000;
      while (children.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(children.filter(alive), `children ${line}`).toEqual([]);
    } finally {
      await parent.stop();
    }
  });
});
