import { describe, expect, it } from 'vitest';
import { networksOfClients } from '../../../src/core/rsyncd/index.js';

describe('networksOfClients', () => {
  it('masks each client address with its netmask and sorts the networks by address', () => {
    expect(
      networksOfClients([
        { ip: '10.1.2.40', netmask: '255.255.255.0' },
        { ip: '10.0.0.7', netmask: '255.255.0.0' },
        { ip: '192.168.7.9', netmask: '/25' },
        { ip: '192.168.7.200', netmask: '25' },
      ]),
    ).toEqual(['10.0.0.0/16', '10.1.2.0/24', '192.168.7.0/25', '192.168.7.128/25']);
  });

  it('lists each network once and drops a network inside a wider one', () => {
    const clients = [
      { ip: '10.0.1.5', netmask: '255.255.255.0' },
      { ip: '10.0.1.6', netmask: '255.255.255.0' },
      { ip: '10.0.9.1', netmask: '255.255.0.0' },
      { ip: '10.0.1.7', netmask: '255.255.255.255' },
    ];
    expect(networksOfClients(clients)).toEqual(['10.0.0.0/16']);
  });

  it('keeps a single host as /32 and returns nothing for no clients', () => {
    expect(networksOfClients([{ ip: '172.16.0.9', netmask: '255.255.255.255' }])).toEqual(['172.16.0.9/32']);
    expect(networksOfClients([])).toEqual([]);
  });

  it('refuses a record whose netmask has a gap', () => {
    expect(() => networksOfClients([{ ip: '10.0.0.1', netmask: '255.0.255.0' }])).toThrow(/gap in its bits/);
  });
});
