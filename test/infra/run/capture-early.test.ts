import { describe, expect, it } from 'vitest';
import { captureEarly } from '../../../src/infra/run.js';

describe('captureEarly', () => {
  it('passes argv words untouched (no shell) and returns output and exit code', async () => {
    const result = await captureEarly(['sh', '-c', 'printf "%s|" "$@"; echo oops >&2; exit 3', 'sh', 'a b', '$(id)', ';']);
    expect(result).toEqual({ stdout: 'a b|$(id)|;|', stderr: 'oops\n', exitCode: 3, signal: null });
  });

  it('says null for a program that is not installed, and names the signal of one it had to kill', async () => {
    expect((await captureEarly(['/nonexistent/si-no-such-program'])).exitCode).toBeNull();
    const slow = await captureEarly(['sleep', '10'], { timeoutMs: 100 });
    expect(slow).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });
});
