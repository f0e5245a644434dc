import { describe, expect, it } from 'vitest';
import { buildRsyncArgv, sshCommandForRsync } from '../../../src/infra/rsync/argv.js';
import { lastProgress, parseStats } from '../../../src/infra/rsync/output.js';

describe('buildRsyncArgv', () => {
  it('builds the capture argv as an array, file names passed through untouched', () => {
    const argv = buildRsyncArgv({
      source: 'root@gc:/',
      destination: '/var/lib/sisuite/versions/x/.incoming/',
      preserveAll: true,
      delete: true,
      linkDest: '/var/lib/sisuite/versions/x/3',
      excludes: ['/proc/*', '/tmp/src;id>/tmp/x;'],
      ssh: { port: 2222, keyPath: '/keys/a key', knownHostsFile: '/var/lib/sisuite/known_hosts' },
      progress: true,
      stats: true,
    });
    expect(argv).toEqual([
      'rsync', '-aHAXS', '--numeric-ids', '--delete', '--delete-excluded', '--info=progress2,stats2', '--no-human-readable',
      '--link-dest=/var/lib/sisuite/versions/x/3', '--exclude=/proc/*', '--exclude=/tmp/src;id>/tmp/x;',
      '-e', sshCommandForRsync({ port: 2222, keyPath: '/keys/a key', knownHostsFile: '/var/lib/sisuite/known_hosts' }),
      '--protect-args', '--', 'root@gc:/', '/var/lib/sisuite/versions/x/.incoming/',
    ]);
  });

  it('quotes -e words that rsync would split, and pins host key checking', () => {
    const e = sshCommandForRsync({ port: 22, keyPath: "/k/it's key", knownHostsFile: '/h/known_hosts' });
    expect(e).toContain(`-i '/k/it'"'"'s key'`);
    expect(e).toContain('StrictHostKeyChecking=yes');
    expect(e).toContain('UserKnownHostsFile=/h/known_hosts');
    expect(e).toContain('BatchMode=yes');
    expect(e).not.toContain('ControlPath');
  });

  it('sends sessions through a connection master when given its socket, never becoming one itself', () => {
    const e = sshCommandForRsync({ port: 22, knownHostsFile: '/h/known_hosts', controlPath: '/tmp/si-ssh-x/master' });
    expect(e).toContain('-o ControlPath=/tmp/si-ssh-x/master -o ControlMaster=no');
    expect(e).toContain('StrictHostKeyChecking=yes');
  });
});

describe('rsync output', () => {
  it('takes the newest progress2 reading from a chunk with carriage returns', () => {
    expect(lastProgress('      1,000   1%    1.00MB/s    0:00:10\r     52,428,800  50%   99.20MB/s    0:00:01 (xfr#3, to-chk=1/9)\r')).toEqual({
      bytes: 52428800,
      percent: 50,
      rate: '99.20MB/s',
      eta: '0:00:01',
    });
    expect(lastProgress('receiving incremental file list\n')).toBeNull();
  });

  it('reads the stats block', () => {
    const stats = parseStats(
      [
        'Number of files: 7,493 (reg: 5,945, dir: 1,200, link: 348)',
        'Number of created files: 7,492',
        'Number of regular files transferred: 5,945',
        'Total file size: 230,057,984 bytes',
        'Total transferred file size: 226,803,712 bytes',
        'Total bytes sent: 119,808',
        'Total bytes received: 226,803,000',
      ].join('\n'),
    );
    expect(stats).toEqual({
      files: 7493, regularFiles: 5945, directories: 1200, totalSize: 230057984, transferredFiles: 5945,
      transferredSize: 226803712, bytesSent: 119808, bytesReceived: 226803000,
    });
  });
});
