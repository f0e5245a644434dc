// Output that nobody reads to the end (si client list | head -1) or cannot be written (> /dev/full).
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../support/images.js';
import { ensureBuilt, PROJECT, si, siOk } from '../support/si.js';

const SI = `${PROJECT}bin/si`;
const LIMIT_MS = 60_000;

interface Outcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Bytes the reader took before it went away. */
  read: number;
}

/**
 * Runs si with its stdout on a pipe whose reader goes away: at once ('start', before si writes anything), or
 * after the first line ('first-line', like head -1; si is then in the middle of a large write).
 */
function runIntoClosingReader(home: string, args: string[], closeAt: 'start' | 'first-line'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, SI_HOME: home };
    const child = spawn(SI, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let read = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    if (closeAt === 'start') child.stdout.destroy();
    else
      child.stdout.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (chunk.includes(0x0a)) child.stdout.destroy();
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`si ${args.join(' ')} did not end within ${LIMIT_MS / 1000} s`));
    }, LIMIT_MS);
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stderr, read });
    });
  });
}

function expectQuietEnd(outcome: Outcome, args: string[]): void {
  const what = `si ${args.join(' ')}: ${outcome.stderr}`;
  expect(outcome.signal, what).toBeNull();
  expect(outcome.exitCode, what).toBe(0);
  expect(outcome.stderr, what).not.toMatch(/^\s+at |EPIPE|internal error|unexpected error|Error/m);
}

describe('a listing whose reader goes away', () => {
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    home = mkdtempSync(join(tmpdir(), 'si-epipe-'));
    makeImage(home, 'compute');
    makeImage(home, 'compute', { 'etc/hostname': 'golden2\n' });
    // 3,000 clients: every listing of them is far more than a pipe holds (64 KiB), so si is still writing
    // when the reader goes.
    await siOk(home, ['addclients', '--hosts', 'node[0001-3000]', '--ip', '10.8.0.1', '--netmask', '255.255.0.0', '--image', 'compute', '--group', 'gpu']);
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const listings: string[][] = [
    ['client', 'list'],
    ['client', 'list', '--json'],
    ['client', 'show', 'node0001'],
    ['client', 'export'],
    ['hosts'],
    ['hosts', '--json'],
    ['group', 'list'],
    ['group', 'show', 'gpu'],
    ['image', 'list'],
    ['image', 'list', '--json'],
    ['image', 'show', 'compute'],
    ['image', 'versions', 'compute'],
    ['image', 'diff', 'compute', '1', '2'],
    ['key', 'show'],
    ['rsyncd', '--dry-run'],
    ['--help'],
    ['client', '--help'],
  ];

  it.each(listings.map((args) => [args.join(' '), args] as const))('ends quietly with exit 0 when stdout is closed before it writes: si %s', async (_, args) => {
    expectQuietEnd(await runIntoClosingReader(home, args, 'start'), args);
  });

  it.each([['client', 'list'], ['client', 'list', '--json'], ['client', 'export'], ['hosts'], ['hosts', '--json']].map((args) => [args.join(' '), args] as const))(
    'ends quietly with exit 0 when the reader goes after the first line, in the middle of a large write: si %s',
    async (_, args) => {
      const whole = (await si(home, args)).stdout.length;
      const outcome = await runIntoClosingReader(home, args, 'first-line');
      expectQuietEnd(outcome, args);
      // The reader went while si still had output to write.
      expect(outcome.read).toBeGreaterThan(0);
      expect(outcome.read).toBeLessThan(whole);
    },
  );

  it('keeps the exit code of a refusal when stderr has no reader (si ... 2>&1 | head -0)', async () => {
    const outcome = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const child = spawn(SI, ['image', 'show', 'nosuch'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SI_HOME: home } });
      child.stderr.destroy();
      child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
    });
    expect(outcome).toEqual({ exitCode: 2, signal: null });
  });

  it('says in one line that stdout cannot be written (a full disk behind > file), exit 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const outcome = await new Promise<{ exitCode: number | null; stderr: string }>((resolve) => {
        const child = spawn(SI, ['client', 'list'], { stdio: ['ignore', full, 'pipe'], env: { ...process.env, SI_HOME: home } });
        let stderr = '';
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (chunk: string) => (stderr += chunk));
        child.once('close', (exitCode) => resolve({ exitCode, stderr }));
      });
      expect(outcome.exitCode).toBe(1);
      expect(outcome.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^si: cannot write the output to stdout: ENOSPC$/)]);
    } finally {
      closeSync(full);
    }
  });
});
