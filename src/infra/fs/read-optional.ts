import fs from 'node:fs';

/** A file's text, or null when it does not exist; any other error (permissions, a directory) is thrown. */
export function readFileOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
