import { describe, expect, it } from 'vitest';
import { checkExistingName, checkName, RESERVED_IMAGE_NAMES } from '../../src/core/names.js';
import { RESERVED_MODULES } from '../../src/core/rsyncd/index.js';
import { UserError } from '../../src/core/errors.js';

describe('checkName', () => {
  it.each(['node001', 'a', 'rocky9.4-hpc', 'gpu_a100', '0day', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(checkName('image', name)).toBe(name);
  });

  it.each(['', '../x', 'a;b', 'A B', 'Upper', '-lead', '.hidden', 'a/b', 'a..b', 'x'.repeat(64), 'tab\tname', 'new\nline'])('refuses %j with a one-line fix', (name) => {
    let error: unknown;
    try {
      checkName('host', name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toMatch(/^invalid host name .*: use 1-63 characters of a-z, 0-9/);
    expect(message).not.toContain('\n');
  });
});

describe('reserved image names', () => {
  it.each(RESERVED_IMAGE_NAMES.map((name) => [name]))('refuses %j as an image name, in one line that names the fix', (name) => {
    expect(() => checkName('image', name)).toThrow(UserError);
    expect(() => checkName('image', name)).toThrow(/^image name \S+ is reserved for the image server's own use: choose another name \(reserved: [^\n]+\)$/);
  });

  it('covers every module the rsync daemon serves beside the images, and rsyncd.conf [global]', () => {
    for (const name of [...RESERVED_MODULES, 'reports', 'global']) expect(RESERVED_IMAGE_NAMES).toContain(name);
  });

  it('still accepts reserved words as host and group names, and finds an old image by its name', () => {
    expect(checkName('host', 'boot')).toBe('boot');
    expect(checkName('group', 'scripts')).toBe('scripts');
    expect(checkExistingName('image', 'scripts')).toBe('scripts');
    expect(checkName('image', 'scripts2')).toBe('scripts2');
  });
});
