// si monitor on a real terminal: a pseudo-terminal of a known size (Python's pty module, run with an argv
// array), where the table is redrawn in place and every line fits the width; Ctrl-C ends it with exit 0.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/core/home.js';
import { openDatabase } from '../../src/infra/db/database.js';
import { installEventStore } from '../../src/infra/reports/index.js';
import { capture } from '../../src/infra/run.js';
import { makeImage } from '../support/images.js';
import { ensureBuilt, PROJECT, siOk } from '../support/si.js';

/**
 * Runs argv on a pty of COLS x ROWS until its output holds FRAMES redraws (bounded by 60 s), sends SIGINT,
 * reads to the end, and prints {output, code, signal} as JSON.
 */
const PTY_RUN = `
import json, os, pty, select, signal, struct, sys, termios, fcntl, time
cols, rows, frames = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(sys.argv[4], sys.argv[4:])
out = b''
def read(until):
    global out
    while time.time() < until:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return True
        if not chunk:
            return True
        out += chunk
        if frames and out.count(b'\\x1b[J') >= frames:
            return False
    return False
read(time.time() + 60)
os.kill(pid, signal.SIGINT)
frames = 0
read(time.time() + 60)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': out.decode('utf-8', 'replace'), 'code': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, 'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}))
`;

describe('si monitor on a terminal', () => {
  let home: string;

  beforeEach(async () => {
    await ensureBuilt();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'si-monitor-tty-'));
    makeImage(home, 'bookworm');
    await siOk(home, ['addclients', '--hosts', 'node[001-030]', '--ip', '10.13.0.11', '--image', 'bookworm']);
    const db = openDatabase(homePaths(home).database);
    try {
      const events = installEventStore(db);
      const at = new Date().toISOString();
      events.record({ host: 'node007', event: null, state: 'installing', phase: 'copy', mac: '52:54:00:00:13:07', message: 'copied 42 %', percent: 42, bytes: 4_200_000, rate: 1_048_576 }, at);
      events.record({ host: 'node009', event: null, state: 'failed', phase: 'mkfs', mac: null, message: 'mkfs.ext4: cannot open /dev/vda2' }, at);
    } finally {
      db.close();
    }
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('redraws the table in place, fits the terminal (active hosts first), and ends with exit 0 on Ctrl-C', async () => {
    const [cols, rows] = [110, 16];
    const argv = ['python3', '-c', PTY_RUN, String(cols), String(rows), '3', `${PROJECT}bin/si`, '--home', home, 'monitor', '--interval', '0.2'];
    const result = await capture(argv, { timeout: 180_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const { output, code, signal } = JSON.parse(result.stdout) as { output: string; code: number | null; signal: number | null };
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    // Frames: the first drawn as is, each next one after moving up over the last and clearing below.
    const frames = output.split(/\x1b\[(\d+)A\r\x1b\[J/);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    const first = (frames[0] as string).split('\r\n').slice(0, -1);
    expect(Number(frames[1])).toBe(first.length);
    expect(first.length).toBeLessThanOrEqual(rows - 1);
    expect(first.every((line) => [...line].length < cols)).toBe(true);
    expect(first[0]).toMatch(/^1 installing, 1 failed, 28 waiting, 0 installed {2}\(\d\d:\d\d:\d\d\)$/);
    expect(first[2]).toMatch(/^node007 +52:54:00:00:13:07 +installing +copy +\[####------\] +42% +1\.0 MiB\/s/);
    expect(first[3]).toMatch(/^node009 +- +failed +mkfs /);
    expect(first).toContain('... and 21 more (si monitor --json --once lists all)');
    expect(first).toHaveLength(15);
    expect(first.slice(-2)).toEqual(['node009 failed in phase mkfs:', '  mkfs.ext4: cannot open /dev/vda2']);
  });
});
