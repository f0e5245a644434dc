import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { mergeKernelArgs, parseNetbootSettings } from '../../../src/core/netboot/index.js';

describe('mergeKernelArgs', () => {
  it('lets a later list replace a key in place, append new keys, and remove one with -key', () => {
    expect(mergeKernelArgs(['si.server=10.0.0.1', 'console=tty0', 'quiet'], ['console=ttyS0,115200'], ['-quiet', 'si.post=poweroff'], ['console=ttyS1']))
      .toEqual(['si.server=10.0.0.1', 'console=ttyS1', 'si.post=poweroff']);
  });
});

describe('parseNetbootSettings', () => {
  const parse = (value: unknown) => parseNetbootSettings(JSON.stringify(value), 'netboot.json');

  it('fills defaults for a missing file', () => {
    expect(parseNetbootSettings(undefined, 'x')).toEqual({ httpPort: 80, timeoutSeconds: 10, kernelArgs: { all: [], groups: {}, hosts: {} }, entries: [] });
  });

  it.each([
    [{ entries: [{ name: 'local', label: 'x', type: 'linux', kernel: 'k' }] }, /entries\.0\.name: .*taken by the menu/],
    [{ entries: [{ name: 'a', label: 'x', type: 'linux', kernel: '../etc/passwd' }] }, /entries\.0\.kernel: must not contain \.\./],
    [{ entries: [{ name: 'a', label: 'x', type: 'efi', kernel: 'k' }] }, /entries\.0\.type/],
    [{ kernelArgs: { hosts: { node1: ['a b'] } } }, /kernelArgs\.hosts\.node1\.0: one word/],
    [{ entries: [{ name: "a", label: "x", type: "multiboot", kernel: "k", args: ["root_shadow=$5$x"] }] }, /entries\.0\.args\.0: one word/],
    [{ server: 'boot.example' }, /server:/],
    [{ timeout: 3 }, /\(top\): .*timeout/],
    [{ entries: [{ name: 'a', label: 'x', type: 'linux', kernel: 'k' }, { name: 'a', label: 'y', type: 'linux', kernel: 'k' }] }, /name a is used twice/],
  ])('refuses %j with a path and a fix', (value, message) => {
    expect(() => parse(value)).toThrow(UserError);
    expect(() => parse(value)).toThrow(message);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseNetbootSettings('{', 'netboot.json')).toThrow(/netboot.json is not valid JSON/);
  });
});
