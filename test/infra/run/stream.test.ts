// run() streams stdout and stderr to callbacks and files while the program runs, not only at its end.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/wait.js';
import { CommandError, capture, run } from '../../../src/infra/run.js';

const CHATTER = fileURLToPath(new URL('./fixtures/chatter.mjs', import.meta.url));


describe('run: streaming output', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'si-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands each chunk of stdout and stderr to callbacks while the program still runs', async () => {
    const gate = join(dir, 'gate');
    const out: string[] = [];
    const err: string[] = [];
    const running = run([CHATTER, gate], { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
    // The program waits for the gate: the first lines can only have come while it runs.
    await eventually('first lines', () => out.join('').includes('out 1') && err.join('').includes('err 1'), 20_000, 10);
    expect(out.join('') + err.join('')).not.toContain('2');
    writeFileSync(gate, '');
    const result = await running;
    expect(out.join('')).toBe('out 1\nout 2\n');
    expect(err.join('')).toBe('err 1\nerr 2\n');
    expect(result).toEqual({ stdout: 'out 1\nout 2\n', stderr: 'err 1\nerr 2\n', exitCode: 0 });
  });

  it('writes stdout and stderr to a log file as they come, and keeps the stderr tail for errors', async () => {
    const gate = join(dir, 'gate');
    const log = join(dir, 'log');
    writeFileSync(log, 'old content\n');
    const running = run([CHATTER, gate], { stdoutFile: log, stderrFile: log });
    await eventually('log lines', () => existsSync(log) && readFileSync(log, 'utf8').includes('out 1') && readFileSync(log, 'utf8').includes('err 1'), 20_000, 10);
    writeFileSync(gate, '');
    const result = await running;
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('err 1\nerr 2\n');
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).sort();
    expect(lines).toEqual(['err 1', 'err 2', 'out 1', 'out 2']);
  });

  it('writes stdout and stderr to files of their own, appending when asked', async () => {
    const gate = join(dir, 'gate');
    writeFileSync(gate, '');
    const [out, err] = [join(dir, 'out'), join(dir, 'err')];
    await run([CHATTER, gate], { stdoutFile: out, stderrFile: err });
    await run([CHATTER, gate], { stdoutFile: out, stderrFile: err, appendOutput: true });
    expect(readFileSync(out, 'utf8')).toBe('out 1\nout 2\n'.repeat(2));
    expect(readFileSync(err, 'utf8')).toBe('err 1\nerr 2\n'.repeat(2));
  });

  it('passes argv words untouched (no shell) and fails with typed fields', async () => {
    const words = await run(['printf', '%s|', 'a b', '$(id)', ';', "it's"]);
    expect(words.stdout).toBe("a b|$(id)|;|it's|");
    const error = await run(['sh', '-c', 'echo first >&2; echo why >&2; exit 7', 'sh']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ argv: ['sh', '-c', 'echo first >&2; echo why >&2; exit 7', 'sh'], exitCode: 7, signal: undefined, stderrTail: 'first\nwhy\n', timedOut: false });
    expect((error as Error).message).toBe('sh exited with 7: why');
  });

  it('says a program is not installed, kills one that times out, and takes input', async () => {
    expect((await capture(['/nonexistent/si-no-such-program'])).exitCode).toBeNull();
    await expect(run(['si-no-such-program'])).rejects.toMatchObject({ exitCode: undefined, message: 'si-no-such-program could not start: si-no-such-program: not installed (not found in PATH)' });
    await expect(run(['sleep', '30'], { timeout: 100 })).rejects.toMatchObject({ timedOut: true, signal: 'SIGTERM' });
    expect((await run(['cat'], { input: 'fed\n' })).stdout).toBe('fed\n');
    expect((await run(['sh', '-c', 'echo "$SI_RUN_A-${SI_RUN_B:-unset}"'], { env: { SI_RUN_A: 'a', SI_RUN_B: undefined } })).stdout).toBe('a-unset\n');
  });
});
