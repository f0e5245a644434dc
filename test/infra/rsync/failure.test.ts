import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../src/infra/run.js';
import { explainRsyncFailure, rsyncCause } from '../../../src/infra/rsync/failure.js';
import { UserError } from '../../../src/core/errors.js';

describe('rsync failures', () => {
  it('names the line that explains, not the summary after it', () => {
    const tail = 'rsync: [sender] send_files failed to open "/etc/shadow": Permission denied (13)\nrsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338) [generator=3.2.7]\n';
    expect(rsyncCause(tail)).toBe('rsync: [sender] send_files failed to open "/etc/shadow": Permission denied (13)');
    const explained = explainRsyncFailure(new CommandError(['rsync', '-a'], 23, undefined, tail, false), 'the partial copy is kept');
    expect(explained).toBeInstanceOf(UserError);
    expect((explained as UserError).message).toBe('rsync exited with 23: rsync: [sender] send_files failed to open "/etc/shadow": Permission denied (13); the partial copy is kept');
    expect((explained as UserError).exitCode).toBe(1);
  });

  it('keeps a killed rsync\'s own words, and leaves other errors alone', () => {
    const killed = explainRsyncFailure(new CommandError(['rsync'], undefined, 'SIGKILL', '', false), 'kept') as Error;
    expect(killed.message).toBe('rsync was killed by SIGKILL; kept');
    const other = new CommandError(['debootstrap'], 1, undefined, 'x', false);
    expect(explainRsyncFailure(other, 'kept')).toBe(other);
  });
});
