// Registry records for the planner tests.
import type { ClientRecord } from '../../../src/core/clients/client-record.js';

export const known = { images: new Set(['rocky9', 'debian12']), groups: new Set(['gpu', 'compute']) };

export function record(hostname: string, fields: Partial<ClientRecord> = {}): ClientRecord {
  return {
    hostname,
    domain: null,
    ip: '10.0.0.10',
    netmask: '255.255.255.0',
    gateway: '10.0.0.1',
    dns: [],
    macs: [],
    image: 'rocky9',
    groups: [],
    overrides: [],
    bootMode: 'install',
    installState: 'new',
    ...fields,
  };
}
