import { describe, expect, it } from 'vitest';
import { describePathDrift, driftFromItemized, summarizeByPath, type HostDrift } from '../../../src/core/drift/drift-report.js';

const host = (name: string, fields: Partial<HostDrift>): HostDrift => ({ host: name, image: 'a', version: '1', added: [], changed: [], removed: [], error: '', ...fields });

describe('drift', () => {
  it('turns the image-to-client dry run round: created there means removed here, deleted there means added here', () => {
    const itemized = ['*deleting   usr/local/bin/hotfix', '>f+++++++++ srv/data/keep.txt', '>fcs....... etc/ntp.conf', '.d..t...... etc/', '.f..t...... etc/motd'].join('\n');
    expect(driftFromItemized(itemized)).toEqual({ added: ['/usr/local/bin/hotfix'], changed: ['/etc/motd', '/etc/ntp.conf'], removed: ['/srv/data/keep.txt'] });
  });

  it('summarises per path over the hosts checked, the most widespread first', () => {
    const hosts = [host('n1', { changed: ['/etc/ntp.conf'] }), host('n2', { changed: ['/etc/ntp.conf'], added: ['/x'] }), host('n3', {}), host('n4', { error: 'cannot reach' })];
    const paths = summarizeByPath(hosts);
    expect(paths).toEqual([
      { path: '/etc/ntp.conf', kinds: ['changed'], hosts: ['n1', 'n2'], of: 3 },
      { path: '/x', kinds: ['added'], hosts: ['n2'], of: 3 },
    ]);
    expect(describePathDrift(paths[0] as (typeof paths)[0])).toBe('/etc/ntp.conf differs on 2 of 3 hosts (changed: n1,n2)');
  });
});
