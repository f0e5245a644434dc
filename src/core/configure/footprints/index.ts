import type { Footprint } from '../footprint.js';
import type { StageName } from '../stages.js';
import { BOOTLOADER_FOOTPRINTS } from './bootloader.js';
import { FSTAB_FOOTPRINTS } from './fstab.js';
import { HOSTNAME_FOOTPRINTS } from './hostname.js';
import { IDENTITY_FOOTPRINTS } from './identity.js';
import { INITRD_FOOTPRINTS } from './initrd.js';
import { LOCALE_FOOTPRINTS } from './locale.js';
import { NETWORK_FOOTPRINTS } from './network.js';
import { USER_EXIT_FOOTPRINTS } from './user-exits.js';

/** Every shipped footprint. Supporting a new system means adding records here and templates. */
export const CATALOG: readonly Footprint[] = [
  ...IDENTITY_FOOTPRINTS,
  ...HOSTNAME_FOOTPRINTS,
  ...NETWORK_FOOTPRINTS,
  ...FSTAB_FOOTPRINTS,
  ...INITRD_FOOTPRINTS,
  ...BOOTLOADER_FOOTPRINTS,
  ...LOCALE_FOOTPRINTS,
  ...USER_EXIT_FOOTPRINTS,
];

/** Slots a stage must fill; an empty one is a warning naming what was looked for. */
export const REQUIRED_SLOTS: Record<StageName, string[]> = {
  identity: ['machine-id', 'ssh-host-keys'],
  hostname: ['hostname', 'hosts'],
  network: ['network-stack'],
  fstab: ['fstab'],
  initrd: ['initrd'],
  bootloader: ['bootloader'],
  locale: ['timezone', 'keyboard'],
  'user-exits': ['user-exits'],
};
