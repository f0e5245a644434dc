import { describe, expect, it } from 'vitest';
import { normalizeMac } from '../../../src/core/clients/mac.js';

describe('normalizeMac', () => {
  it.each([
    ['52:54:00:12:34:56', '52:54:00:12:34:56'],
    ['52:54:00:AB:CD:EF', '52:54:00:ab:cd:ef'],
    ['52-54-00-ab-cd-ef', '52:54:00:ab:cd:ef'],
    ['525400ABCDEF', '52:54:00:ab:cd:ef'],
    ['5254.00ab.cdef', '52:54:00:ab:cd:ef'],
    [' 52:54:00:ab:cd:ef ', '52:54:00:ab:cd:ef'],
  ])('%s -> %s', (text, mac) => {
    expect(normalizeMac(text)).toBe(mac);
  });

  it.each([
    ['52:54:00:ab:cd', /is not a MAC address/],
    ['52:54-00:ab:cd:ef', /is not a MAC address/],
    ['52:54:00:ab:cd:eg', /is not a MAC address/],
    ['5254:00ab:cdef', /is not a MAC address/],
    ['ff:ff:ff:ff:ff:ff', /multicast or broadcast/],
    ['01:00:5e:00:00:01', /multicast or broadcast/],
    ['00:00:00:00:00:00', /all-zero/],
  ])('refuses %s', (text, message) => {
    expect(() => normalizeMac(text)).toThrow(message);
  });
});
