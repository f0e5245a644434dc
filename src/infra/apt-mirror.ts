import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { findAptMirror } from '../core/mirror.js';

const SOURCES_DIR = '/etc/apt/sources.list.d';

/** The Debian mirror this machine's apt is configured with, for debootstrapping `suite`. */
export function machineMirror(suite: string): string {
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const listed = fs.existsSync(SOURCES_DIR) ? fs.readdirSync(SOURCES_DIR).sort() : [];
  const mirror = findAptMirror({
    deb822: listed.filter((f) => f.endsWith('.sources')).map((f) => read(path.join(SOURCES_DIR, f))),
    oneLine: [read('/etc/apt/sources.list'), ...listed.filter((f) => f.endsWith('.list')).map((f) => read(path.join(SOURCES_DIR, f)))],
    suite,
  });
  if (!mirror) throw new UserError("no Debian mirror in this machine's apt sources: give one with --mirror URL");
  return mirror;
}
