import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../../src/core/clients/client-record.js';
import { decideBinding, naturalCompare } from '../../../src/core/discovery/index.js';

const client = (hostname: string, extra: Partial<ClientRecord> = {}): ClientRecord => ({
  hostname,
  domain: null,
  ip: '10.0.0.1',
  netmask: '255.255.255.0',
  gateway: null,
  dns: [],
  macs: [],
  image: 'bookworm',
  groups: [],
  overrides: [],
  bootMode: 'local',
  installState: 'installed',
  discover: true,
  ...extra,
});

describe('decideBinding', () => {
  it('gives a MAC that has a host that host, whatever waits', () => {
    expect(decideBinding({ mac: '52:54:00:00:00:01', holder: client('node009', { discover: false }), waiting: [client('node001')] })).toEqual({ kind: 'known', host: 'node009' });
  });

  it('binds the first waiting host in natural order: the MAC, no longer waiting, armed for install', () => {
    const waiting = [client('node10'), client('node002'), client('node2'), client('node001'), client('gpu1')];
    const decision = decideBinding({ mac: '52:54:00:00:00:01', holder: undefined, waiting });
    expect(decision).toEqual({ kind: 'bind', host: 'gpu1', record: { ...client('gpu1'), macs: ['52:54:00:00:00:01'], discover: false, bootMode: 'install' } });
    const nodes = waiting.filter((c) => c.hostname !== 'gpu1');
    expect(decideBinding({ mac: '52:54:00:00:00:01', holder: undefined, waiting: nodes })).toMatchObject({ kind: 'bind', host: 'node001' });
  });

  it('skips hosts that do not wait or already have a MAC; with none left the MAC is unknown', () => {
    const waiting = [client('node001', { discover: false }), client('node002', { macs: ['52:54:00:00:00:09'] })];
    expect(decideBinding({ mac: '52:54:00:00:00:01', holder: undefined, waiting })).toEqual({ kind: 'unknown' });
    expect(decideBinding({ mac: '52:54:00:00:00:01', holder: undefined, waiting: [] })).toEqual({ kind: 'unknown' });
  });
});

describe('naturalCompare', () => {
  it('orders digit runs as numbers, node001 before node002 and node2 before node10', () => {
    const names = ['node10', 'rack2n01', 'node2', 'node001', 'rack10n01', 'node002', 'node1', 'rack2n10', 'node'];
    expect([...names].sort(naturalCompare)).toEqual(['node', 'node1', 'node001', 'node2', 'node002', 'node10', 'rack2n01', 'rack2n10', 'rack10n01']);
  });
});
