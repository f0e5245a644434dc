import { describe, expect, it } from 'vitest';
import { checkName } from '../../src/core/names.js';
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
