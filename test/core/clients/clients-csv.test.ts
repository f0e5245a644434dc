import { describe, expect, it } from 'vitest';
import { formatClientsCsv, parseClientsCsv } from '../../../src/core/clients/clients-csv.js';
import type { ClientRecord } from '../../../src/core/clients/client-record.js';

const clients: ClientRecord[] = [
  {
    hostname: 'node001',
    domain: 'cluster.lan',
    ip: '10.0.0.11',
    netmask: '255.255.255.0',
    gateway: '10.0.0.1',
    dns: ['10.0.0.2', '10.0.0.3'],
    macs: ['52:54:00:00:00:01', '52:54:00:00:00:11'],
    image: 'debian12',
    groups: ['compute', 'gpu'],
    overrides: ['site'],
    bootMode: 'local',
    installState: 'installed',
    discover: false,
  },
  {
    hostname: 'node002',
    domain: null,
    ip: '10.0.0.12',
    netmask: '255.255.0.0',
    gateway: null,
    dns: [],
    macs: [],
    image: 'debian12',
    groups: [],
    overrides: [],
    bootMode: 'install',
    installState: 'new',
    discover: true,
  },
];

describe('clients CSV', () => {
  it('exports a header and one line per client', () => {
    expect(formatClientsCsv(clients)).toBe(
      [
        'hostname,domain,ip,netmask,gateway,dns,macs,image,groups,overrides,boot_mode,install_state,discover',
        'node001,cluster.lan,10.0.0.11,255.255.255.0,10.0.0.1,10.0.0.2 10.0.0.3,52:54:00:00:00:01 52:54:00:00:00:11,debian12,compute gpu,site,local,installed,',
        'node002,,10.0.0.12,255.255.0.0,,,,debian12,,,install,new,yes',
        '',
      ].join('\n'),
    );
  });

  it('imports what it exports', () => {
    expect(parseClientsCsv(formatClientsCsv(clients))).toEqual(clients);
  });

  it('imports a hand-written file with columns in any order, defaults and normalisation', () => {
    const text = 'IP,Hostname,image,macs,netmask\r\n10.0.0.5,n5,img,"52-54-00-00-00-05",/16\r\n10.0.0.6,n6,img,,\r\n';
    const [n5, n6] = parseClientsCsv(text);
    expect(n5).toMatchObject({ hostname: 'n5', ip: '10.0.0.5', macs: ['52:54:00:00:00:05'], netmask: '255.255.0.0' });
    expect(n6).toEqual({
      hostname: 'n6',
      domain: null,
      ip: '10.0.0.6',
      netmask: '255.255.255.0',
      gateway: null,
      dns: [],
      macs: [],
      image: 'img',
      groups: [],
      overrides: [],
      bootMode: 'install',
      installState: 'new',
      discover: false,
    });
  });

  it.each([
    ['', 'c.csv is empty'],
    ['hostname,ip\n', 'c.csv:1: the header has no image column'],
    ['hostname,ip,image,colour\n', 'c.csv:1: column 4 of the header is not a known column'],
    ['hostname,ip,image\nn1,10.0.0.1\n', 'c.csv:2: 2 fields, but the header has 3'],
    ['hostname,ip,image\nn1,10.0.0.1,img\nn1,10.0.0.2,img\n', 'c.csv:3: hostname n1 is already used on line 2'],
    ['hostname,ip,image\nn1,10.0.0.1,img\nn2,10.0.0.1,img\n', 'c.csv:3: ip 10.0.0.1 is already used on line 2'],
    ['hostname,ip,image,macs\nn1,10.0.0.1,img,52:54:00:00:00:01\nn2,10.0.0.2,img,525400000001\n', 'c.csv:3: mac 52:54:00:00:00:01 is already used on line 2'],
    ['hostname,ip,image\nn1,10.0.0,img\n', 'c.csv:2: "10.0.0" is not a valid IP address'],
    ['hostname,ip,image,boot_mode\nn1,10.0.0.1,img,pxe\n', 'c.csv:2: boot_mode "pxe" is not one of install, local'],
    ['hostname,ip,image,overrides\nn1,10.0.0.1,img,../x\n', 'c.csv:2: invalid override name "../x"'],
  ])('refuses %j', (text, message) => {
    expect(() => parseClientsCsv(text, { source: 'c.csv' })).toThrow(message);
  });
});
