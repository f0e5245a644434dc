import fs from 'node:fs';
import { capture } from '../run.js';
import type { SystemAccess } from './mounts.js';

/** The machine si runs on (`si prepareclient` on the golden client itself). */
export const localSystem: SystemAccess = {
  exec: (argv) => capture(argv),
  async readFile(path) {
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
};
