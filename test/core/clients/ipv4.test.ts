import { describe, expect, it } from 'vitest';
import {
  allocateAddresses,
  describeSubnet,
  formatIPv4,
  netmaskFromPrefix,
  parseIPv4,
  parseNetmask,
} from '../../../src/core/clients/ipv4.js';
import { UserError } from '../../../src/core/errors.js';

describe('parseIPv4 / formatIPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    [' 192.168.1.20 ', 0xc0a80114],
  ])('%s', (text, value) => {
    expect(parseIPv4(text)).toBe(value);
    expect(formatIPv4(value)).toBe(text.trim());
  });

  it.each(['10.0.0', '10.0.0.256', '10.0.0.01', '10.0.0.-1', 'a.b.c.d', '', '10.0.0.1.2', '1e1.0.0.1'])(
    'refuses %j',
    (text) => {
      expect(() => parseIPv4(text)).toThrow(UserError);
      expect(() => parseIPv4(text)).toThrow('is not a valid IP address');
    },
  );
});

describe('parseNetmask', () => {
  it.each([
    ['24', 24],
    ['/16', 16],
    ['255.255.255.0', 24],
    ['255.255.252.0', 22],
    ['255.255.255.255', 32],
    ['0.0.0.0', 0],
    ['0', 0],
  ])('%s -> /%i', (text, prefix) => {
    expect(parseNetmask(text)).toBe(prefix);
  });

  it.each([
    ['255.0.255.0', /has a gap in its bits/],
    ['33', /is not a netmask/],
    ['/', /is not a netmask/],
    ['255.255.255.300', /not a valid netmask/],
  ])('refuses %s', (text, message) => {
    expect(() => parseNetmask(text)).toThrow(message);
  });

  it('formats a prefix as a dotted mask', () => {
    expect(netmaskFromPrefix(24)).toBe('255.255.255.0');
    expect(netmaskFromPrefix(0)).toBe('0.0.0.0');
    expect(netmaskFromPrefix(30)).toBe('255.255.255.252');
  });
});

describe('describeSubnet', () => {
  it('finds network, broadcast and usable range', () => {
    const s = describeSubnet({ ip: parseIPv4('10.1.2.3'), prefix: 22 });
    expect(formatIPv4(s.network)).toBe('10.1.0.0');
    expect(formatIPv4(s.broadcast)).toBe('10.1.3.255');
    expect(formatIPv4(s.firstUsable)).toBe('10.1.0.1');
    expect(formatIPv4(s.lastUsable)).toBe('10.1.3.254');
    expect(s.netmask).toBe('255.255.252.0');
  });

  it.each([31, 32])('refuses /%i', (prefix) => {
    expect(() => describeSubnet({ ip: 1, prefix })).toThrow(`netmask /${prefix} leaves no room`);
  });
});

describe('allocateAddresses', () => {
  it('increments from the first address', () => {
    expect(allocateAddresses({ first: '10.0.0.10', count: 3, netmask: '24' })).toEqual([
      '10.0.0.10',
      '10.0.0.11',
      '10.0.0.12',
    ]);
  });

  it('starts after the network address', () => {
    expect(allocateAddresses({ first: '10.0.0.0', count: 2, netmask: '255.255.255.0' })).toEqual([
      '10.0.0.1',
      '10.0.0.2',
    ]);
  });

  it('crosses octet boundaries inside a wider subnet (x.x.0.255 and x.x.1.0 are host addresses in a /16)', () => {
    expect(allocateAddresses({ first: '10.0.0.254', count: 4, netmask: '16' })).toEqual([
      '10.0.0.254',
      '10.0.0.255',
      '10.0.1.0',
      '10.0.1.1',
    ]);
  });

  it('fills a subnet up to the last usable address', () => {
    const ips = allocateAddresses({ first: '10.0.0.1', count: 254, netmask: '24' });
    expect(ips.at(-1)).toBe('10.0.0.254');
  });

  it('uses both host addresses of a /30', () => {
    expect(allocateAddresses({ first: '10.0.0.0', count: 2, netmask: '30' })).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('refuses a run past the subnet, saying how many fit and the last usable address', () => {
    expect(() => allocateAddresses({ first: '10.0.0.250', count: 10, netmask: '24' })).toThrow(
      '10 addresses from 10.0.0.250 do not fit in 10.0.0.0/24: only 5 fit (last usable 10.0.0.254); start lower or use a wider netmask',
    );
  });

  it('refuses to start at the broadcast address', () => {
    expect(() => allocateAddresses({ first: '10.0.0.255', count: 1, netmask: '24' })).toThrow(
      '10.0.0.255 is the broadcast address of 10.0.0.0/24',
    );
  });

  it('refuses /31 and /32', () => {
    expect(() => allocateAddresses({ first: '10.0.0.0', count: 1, netmask: '31' })).toThrow('/31 leaves no room');
  });
});
