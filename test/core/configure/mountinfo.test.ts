import { describe, expect, it } from 'vitest';
import { chrootMountOwner, mountsBelow, parseMountinfo } from '../../../src/core/configure/mountinfo.js';

const TEXT = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
65 27 0:6 / /srv/a\\040b/dev rw,relatime - devtmpfs si-configure:4242 rw
66 65 0:21 / /srv/a\\040b/dev/pts rw shared:3 - devpts devpts rw
67 27 0:22 / /srv/a\\040b/sys rw - sysfs si-configure:4242 rw
68 27 0:22 / /srv/a\\040bc rw - sysfs sysfs rw
`;

describe('mountinfo', () => {
  it('parses mount points (unescaped), types and sources, optional fields included', () => {
    const entries = parseMountinfo(TEXT);
    expect(entries).toHaveLength(6);
    expect(entries[3]).toEqual({ mountPoint: '/srv/a b/dev/pts', fstype: 'devpts', source: 'devpts' });
  });

  it('lists the mounts below a directory deepest first, not its neighbours', () => {
    expect(mountsBelow(parseMountinfo(TEXT), '/srv/a b').map((e) => e.mountPoint)).toEqual(['/srv/a b/dev/pts', '/srv/a b/dev', '/srv/a b/sys']);
  });

  it('recognises the mounts of si configure and their process', () => {
    expect(parseMountinfo(TEXT).map(chrootMountOwner)).toEqual([undefined, undefined, 4242, undefined, 4242, undefined]);
  });
});
