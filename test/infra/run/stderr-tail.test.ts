// stderr is kept as a bounded tail: a program writing megabytes costs si at most N KiB.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandError, capture, run } from '../../../src/infra/run.js';
import { TailBuffer } from '../../../src/infra/process/stderr-tail.js';

const NOISE = fileURLToPath(new URL('./fixtures/noise.mjs', import.meta.url));

describe('the stderr tail', () => {
  it('keeps only the last N KiB of 8 MB of stderr, ending with the last line', async () => {
    const result = await capture([NOISE, String(8 * 1024 * 1024), '0'], { stderrTailBytes: 16 * 1024 });
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.byteLength(result.stderr)).toBeGreaterThan(15 * 1024);
    expect(result.stderr).not.toContain('noise line 0\n');
    expect(result.stderr.endsWith('the last line\n')).toBe(true);
  });

  it('gives a failed command its last line and at most 2000 characters of tail', async () => {
    const error = (await run([NOISE, String(4 * 1024 * 1024), '3']).catch((e: unknown) => e)) as CommandError;
    expect(error).toBeInstanceOf(CommandError);
    expect(error.exitCode).toBe(3);
    expect(error.stderrTail.length).toBeLessThanOrEqual(2000);
    expect(error.message).toMatch(/exited with 3: the last line$/);
  });

  it('holds no more than the limit plus one chunk, however much is pushed', () => {
    const tail = new TailBuffer(1000);
    let most = 0;
    for (let i = 0; i < 10_000; i += 1) {
      tail.push(Buffer.from(`line ${i} ${'x'.repeat(i % 300)}\n`));
      most = Math.max(most, tail.bytesHeld());
    }
    expect(most).toBeLessThanOrEqual(1000 + 320);
    expect(Buffer.byteLength(tail.text())).toBeLessThanOrEqual(1000);
    expect(tail.text().endsWith(`line 9999 ${'x'.repeat(9999 % 300)}\n`)).toBe(true);
  });

  it('does not start the tail with half a character', () => {
    const tail = new TailBuffer(5);
    tail.push(Buffer.from('ééé'));
    expect(tail.text()).toBe('éé');
  });
});
