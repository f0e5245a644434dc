import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { parseNetbootSettings, type NetbootFile, type NetbootRoot, type NetbootSettings } from '../../core/netboot/index.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Renderer } from '../templates.js';

export interface NetbootRoots {
  tftpboot: string;
  netboot: string;
}

export function netbootRoots(dir: string): NetbootRoots {
  return { tftpboot: path.join(dir, 'tftpboot'), netboot: path.join(dir, 'netboot') };
}

/** The settings file: an explicit one must exist; the default ($SI_HOME/netboot.json) may be missing. */
export function readNetbootSettings(file: string, explicit: boolean): NetbootSettings {
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || explicit) throw new UserError(`cannot read the netboot settings ${file} (${code}): give an existing JSON file`);
  }
  return parseNetbootSettings(text, file);
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full, base);
    return entry.isFile() ? [path.relative(base, full).split(path.sep).join('/')] : [];
  });
}

/** The files under each entry's overlay folder (inside the TFTP root), sorted: they become the entry's modules. */
export function listOverlays(settings: NetbootSettings, tftpRoot: string): Record<string, string[]> {
  const overlays: Record<string, string[]> = {};
  for (const entry of settings.entries) {
    if (!entry.overlay) continue;
    const dir = path.join(tftpRoot, entry.overlay);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new UserError(`the overlay folder of boot entry ${entry.name} is missing: create ${dir}, or remove "overlay" from the entry`);
    }
    overlays[entry.name] = walk(dir).sort();
  }
  return overlays;
}

export interface RenderedFile {
  root: NetbootRoot;
  path: string;
  file: string;
  host?: string;
  text: string;
}

export function renderNetbootFiles(files: readonly NetbootFile[], renderer: Renderer, roots: NetbootRoots): RenderedFile[] {
  return files.map((f) => ({ root: f.root, path: f.path, file: path.join(roots[f.root], f.path), host: f.host, text: renderer.render(f.template, f.context) }));
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Per-client files a former run wrote for a MAC or address no longer in the registry. */
const GENERATED = [
  { dir: 'netboot/ipxe', pattern: /^([0-9a-f]{2}-){5}[0-9a-f]{2}\.ipxe$/ },
  { dir: 'tftpboot/pxelinux.cfg', pattern: /^(01-([0-9a-f]{2}-){5}[0-9a-f]{2}|[0-9A-F]{8})$/ },
  { dir: 'tftpboot/grub', pattern: /^grub\.cfg-01-([0-9a-f]{2}-){5}[0-9a-f]{2}$/ },
];

/**
 * Writes every file (each replaced atomically, so a loader reading it sees the old or the new one) and removes
 * the per-client files of clients that are gone. Returns the stale files removed.
 */
export function writeNetbootFiles(rendered: readonly RenderedFile[], dir: string): string[] {
  // An unchanged file is left alone: a reload of the boot server with 1,000 clients rewrote 4,000 files.
  for (const f of rendered) if (readOrNull(f.file) !== f.text) writeFileAtomic(f.file, f.text, { createParent: true });
  const wanted = new Set(rendered.map((f) => f.file));
  const removed: string[] = [];
  for (const { dir: sub, pattern } of GENERATED) {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder).sort()) {
      const file = path.join(folder, name);
      if (pattern.test(name) && !wanted.has(file)) {
        fs.rmSync(file, { force: true });
        removed.push(file);
      }
    }
  }
  return removed;
}
