import { describe, expect, it } from 'vitest';
import { outcomeOfRun, parseResultLine } from '../../../src/infra/pushupdate/outcome.js';

const run = (fields: Partial<{ exitCode: number | null; stdout: string; stderr: string; rebooting: boolean }>) => ({ exitCode: 0, stdout: '', stderr: '', seconds: 1, rebooting: false, ...fields });
const expected = { image: 'a', version: '1' };

describe("si-updateclient's outcome", () => {
  it('reads the result line, reason to the end of the line', () => {
    expect(parseResultLine('x\nsi-updateclient: result=ok image=a version=3 files=12 bytes_received=4096 dry_run=0\n')).toEqual({ result: 'ok', image: 'a', version: '3', files: '12', bytes_received: '4096', dry_run: '0' });
    expect(parseResultLine('si-updateclient: result=failed image=a version=3 reason=rsync failed (code 11): the update is incomplete\n')).toMatchObject({
      result: 'failed',
      reason: 'rsync failed (code 11): the update is incomplete',
    });
    expect(parseResultLine('si-updateclient: updated / to image a version 3\n')).toBeNull();
  });

  it('an ok run with the line, without it (rsync stats, "no result line"), a failure, a missing script', () => {
    expect(outcomeOfRun('n1', run({ stdout: 'si-updateclient: result=ok image=a version=3 files=2 bytes_received=99 dry_run=0\n' }), expected)).toMatchObject({ result: 'ok', version: '3', files: 2, bytesReceived: 99, reason: '' });
    const stats = 'Number of regular files transferred: 5\nTotal bytes sent: 1,000\nTotal bytes received: 2,345\nsi-updateclient: updated / to image a version 4\n';
    expect(outcomeOfRun('n1', run({ stdout: stats }), expected)).toMatchObject({ result: 'ok', version: '4', files: 5, bytesReceived: 2345, reason: 'no result line' });
    const full = run({ exitCode: 1, stderr: 'rsync: write failed on "/srv/big": No space left on device (28)\nsi-updateclient: rsync failed (code 11): the update is incomplete; run si-updateclient again to finish it\n' });
    expect(outcomeOfRun('n1', full, expected).reason).toBe('no space left on the client: rsync failed (code 11): the update is incomplete; run si-updateclient again to finish it (no result line, exit 1)');
    expect(outcomeOfRun('n1', run({ exitCode: 127, stderr: 'sh: 1: /usr/local/sbin/si-updateclient: not found\n' }), expected)).toMatchObject({ result: 'failed', reason: expect.stringMatching(/^no \/usr\/local\/sbin\/si-updateclient on this client/) });
    expect(outcomeOfRun('n1', run({ exitCode: null, rebooting: true, stdout: 'si-updateclient: result=ok image=a version=3 files=1 bytes_received=1 dry_run=0\n' }), expected).result).toBe('ok');
  });
});
