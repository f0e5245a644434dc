// runPipeline: argv stages joined by pipes, no shell; any failing stage fails it, named by its own argv.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandError, run, runPipeline } from '../../../src/infra/run.js';

const NOISE = fileURLToPath(new URL('./fixtures/noise.mjs', import.meta.url));

describe('runPipeline', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'si-pipe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds an initramfs: find | cpio -o -H newc | gzip -9n > file', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    writeFileSync(join(tree, 'init'), '#!/bin/sh\necho hello\n');
    writeFileSync(join(tree, 'bin/a b;$(id)'), 'odd name\n');
    const out = join(dir, 'initrd.img');
    const result = await runPipeline([['find', '.'], ['cpio', '--quiet', '-o', '-H', 'newc'], ['gzip', '-9n']], { cwd: tree, stdoutFile: out });
    expect(result.stdout).toBe('');
    const listing = await runPipeline([['gzip', '-dc', out], ['cpio', '--quiet', '-it']]);
    expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual(['.', 'bin', 'bin/a b;$(id)', 'init']);
    // gzip -n: the same tree gives the same bytes.
    const again = join(dir, 'again.img');
    await runPipeline([['find', '.'], ['cpio', '--quiet', '-o', '-H', 'newc'], ['gzip', '-9n']], { cwd: tree, stdoutFile: again });
    expect(readFileSync(again)).toEqual(readFileSync(out));
  });

  it('fails with the middle stage when it fails, not with the writer it took down', async () => {
    // 9 MB into a stage that dies at once: the writer before it fails too (a broken pipe), the cause is cpio.
    const error = await runPipeline([[NOISE, '0', '0'], ['head', '-c', '9000000', '/dev/zero'], ['cpio', '-o', '-H', 'no-such-format'], ['gzip']]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ argv: ['cpio', '-o', '-H', 'no-such-format'], exitCode: 2, timedOut: false });
    expect((error as CommandError).stderrTail).toMatch(/no-such-format/);
    expect((error as Error).message).toMatch(/^cpio exited with 2: /);
  });

  it('fails when the first or the last stage fails, even if the others succeed', async () => {
    await expect(runPipeline([['sh', '-c', 'echo partial; echo broken >&2; exit 4'], ['gzip']])).rejects.toMatchObject({
      argv: ['sh', '-c', 'echo partial; echo broken >&2; exit 4'],
      exitCode: 4,
      stderrTail: 'broken\n',
    });
    // The reader after it fails too, on a cut stream; the cause is still the first stage.
    await expect(runPipeline([['sh', '-c', 'printf "\\037\\213\\010"; exit 3'], ['gzip', '-dc']])).rejects.toMatchObject({ argv: ['sh', '-c', 'printf "\\037\\213\\010"; exit 3'], exitCode: 3 });
    await expect(runPipeline([['printf', 'x'], ['sh', '-c', 'cat >/dev/null; exit 6']])).rejects.toMatchObject({ exitCode: 6 });
    await expect(runPipeline([['printf', 'x'], ['si-no-such-program']])).rejects.toMatchObject({ argv: ['si-no-such-program'], exitCode: undefined });
  });

  it('returns the last stage\'s stdout, feeds input to the first, and times out as a whole', async () => {
    expect((await runPipeline([['cat'], ['tr', 'a-z', 'A-Z'], ['rev']], { input: 'abc\n' })).stdout).toBe('CBA\n');
    const started = Date.now();
    await expect(runPipeline([['sleep', '30'], ['cat']], { timeout: 200 })).rejects.toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(20_000);
    // The writer of a stage that stopped reading fails (a broken pipe) instead of hanging on a full pipe,
    // and fails the pipeline, as with `set -o pipefail`.
    await expect(runPipeline([['yes'], ['head', '-c', '10']])).rejects.toMatchObject({ argv: ['yes'] });
    expect((await run(['true'])).exitCode).toBe(0);
  });
});
