import { describe, expect, it } from 'vitest';
import { BOOT_MODES, INSTALL_STATES } from '../../../src/core/clients/client-record.js';
import { decideBoot } from '../../../src/core/netboot/index.js';

describe('decideBoot: what a client boots by default', () => {
  // Every combination of the registry's boot mode and install state, with the answer and why.
  const table = [
    ['install', 'new', 'install'], // armed, never installed
    ['install', 'installing', 'install'], // rebooted mid-install: start again
    ['install', 'failed', 'install'], // still armed: the next boot retries
    ['install', 'installed', 'install'], // re-armed after a success (si client set --boot install)
    ['local', 'new', 'local'],
    ['local', 'installing', 'local'],
    ['local', 'failed', 'local'],
    ['local', 'installed', 'local'],
  ] as const;

  it('covers every boot mode and install state', () => {
    const covered = new Set(table.map(([m, s]) => `${m}/${s}`));
    for (const m of BOOT_MODES) for (const s of INSTALL_STATES) expect(covered.has(`${m}/${s}`), `${m}/${s}`).toBe(true);
  });

  it.each(table)('bootMode %s, installState %s -> %s', (bootMode, installState, expected) => {
    expect(decideBoot({ bootMode, installState })).toBe(expected);
  });
});
