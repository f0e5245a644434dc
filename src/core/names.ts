import { UserError } from './errors.js';

/** DESIGN: image, host and group names. Lower case so that hostnames, rsync modules and paths agree. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export type NameKind = 'image' | 'host' | 'group';

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && name !== '.' && name !== '..' && !name.includes('..');
}

/** Checks a name at the edge; throws a one-line UserError that says what a valid name looks like. */
export function checkName(kind: NameKind, name: string): string {
  if (!isValidName(name)) {
    const shown = name === '' ? '(empty)' : JSON.stringify(name);
    throw new UserError(
      `invalid ${kind} name ${shown}: use 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}
