import { describe, expect, it } from 'vitest';
import { parseItemizedDiff } from '../../../src/core/images/itemized-diff.js';

describe('parseItemizedDiff', () => {
  it('sorts rsync itemize lines into added, removed and changed', () => {
    const output = [
      '*deleting   etc/old.conf',
      '>f+++++++++ etc/new.conf',
      'cd+++++++++ srv/newdir/',
      '>f.st...... etc/motd',
      '.f...p..... usr/bin/tool',
      '.d..t...... etc/',
      '.f....o.... srv/owned',
      'cL+++++++++ srv/link',
      'cL.st...... srv/relinked',
      '.d...p..... srv/perm-dir/',
      '.f........x srv/xattr-file',
      '.d..t...... ./',
    ].join('\n');
    expect(parseItemizedDiff(output)).toEqual({
      added: ['/etc/new.conf', '/srv/link', '/srv/newdir'],
      removed: ['/etc/old.conf'],
      changed: ['/etc/motd', '/srv/owned', '/srv/perm-dir', '/srv/relinked', '/srv/xattr-file', '/usr/bin/tool'],
    });
  });

  it('keeps names with spaces and arrows whole', () => {
    expect(parseItemizedDiff('>f+++++++++ srv/a -> b.txt\n').added).toEqual(['/srv/a -> b.txt']);
  });
});
