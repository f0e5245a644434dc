import { UserError } from './errors.js';

/** DESIGN: image, host and group names. Lower case so that hostnames, rsync modules and paths agree. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export type NameKind = 'image' | 'host' | 'group';

/**
 * Names an image cannot take (docs/layout.md, "Reserved image names"): an image is an rsync module and a
 * directory beside these, so each would clash with the daemon's other modules (scripts, overrides, boot,
 * reports), rsyncd.conf's own [global] section, an entry of SI_HOME, or what netboot serves.
 */
export const RESERVED_IMAGE_NAMES: readonly string[] = [
  'scripts', 'overrides', 'boot', 'reports', 'global',
  'images', 'versions', 'templates', 'ssh', 'log', 'tftpboot',
  'netboot', 'ipxe', 'pxelinux.cfg', 'grub',
];

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && name !== '.' && name !== '..' && !name.includes('..');
}

/** Checks a name at the edge; throws a one-line UserError that says what a valid name looks like. */
export function checkName(kind: NameKind, name: string): string {
  checkExistingName(kind, name);
  if (kind === 'image' && RESERVED_IMAGE_NAMES.includes(name)) {
    throw new UserError(`image name ${name} is reserved for the image server's own use: choose another name (reserved: ${RESERVED_IMAGE_NAMES.join(', ')})`);
  }
  return name;
}

/**
 * The syntax check alone, for looking up a record that may predate a reservation: an old image named
 * `scripts` can still be found, renamed and removed.
 */
export function checkExistingName(kind: NameKind, name: string): string {
  if (!isValidName(name)) {
    const shown = name === '' ? '(empty)' : JSON.stringify(name);
    throw new UserError(
      `invalid ${kind} name ${shown}: use 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}
