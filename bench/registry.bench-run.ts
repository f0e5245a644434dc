// bench/registry: si addclients for 10,000 hosts, si mkautoinstallscript for 10,000 clients, and a no-op
// re-render, each timed as a user runs it (the whole CLI), against the targets of the client registry issue.
// The image is a real Debian minbase tree (ssh host keys, ifupdown, fstab), and every client has a MAC, so
// each host's configure plan carries what a real one does: identity, hostname, network and fstab.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { minbaseTree } from '../test/world/debootstrap-cache.js';
import { makeImageFromTree } from '../test/support/images.js';
import { si } from '../test/support/si.js';

const HOSTS = 10_000;
let home: string;
let macs: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'si-bench-registry-'));
  const tree = join(home, 'tree');
  await minbaseTree(tree);
  makeImageFromTree(home, 'compute', tree);
  macs = join(home, 'macs.csv');
  const lines = Array.from({ length: HOSTS }, (_, i) => {
    const n = (i + 1).toString(16).padStart(4, '0');
    return `node${String(i + 1).padStart(5, '0')},52:54:00:00:${n.slice(0, 2)}:${n.slice(2)}`;
  });
  writeFileSync(macs, `hostname,mac\n${lines.join('\n')}\n`);
}, 20 * 60_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Seconds the whole command took, and its --json answer. */
async function timed(args: string[]): Promise<{ seconds: number; json: { written?: string[] } }> {
  const started = performance.now();
  const result = await si(home, args, { timeout: 600_000 });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`si ${args.join(' ')}: ${result.stderr}`);
  return { seconds, json: JSON.parse(result.stdout) as { written?: string[] } };
}

/**
 * What this filesystem, as it is now, takes to create the rendered files without sisuite: each one written
 * to a new file and renamed into place, in one thread. Creating inodes can dominate (see docs/decisions.md).
 */
function filesystemFloor(scripts: string): number {
  const names = readdirSync(scripts).filter((name) => !name.startsWith('.') && statSync(join(scripts, name)).isFile());
  const contents = names.map((name) => [name, readFileSync(join(scripts, name))] as const);
  const copy = join(home, 'floor');
  mkdirSync(copy);
  const started = performance.now();
  for (const [name, content] of contents) {
    writeFileSync(join(copy, `.${name}.new`), content);
    renameSync(join(copy, `.${name}.new`), join(copy, name));
  }
  return (performance.now() - started) / 1000;
}

function line(label: string, seconds: number, target: number): string {
  return `  ${label.padEnd(42)} ${seconds.toFixed(3)} s   target ${target} s   ratio ${(seconds / target).toFixed(2)}`;
}

it(`registers and renders ${HOSTS} clients`, async () => {
  const add = ['addclients', '--hosts', `node[00001-${HOSTS}]`, '--ip', '10.64.1.1', '--netmask', '16', '--gateway', '10.64.0.254',
    '--dns', '10.64.0.253', '--domain', 'cluster.example', '--image', 'compute', '--macs', macs, '--json'];
  const added = await timed(add);
  const again = await timed(add);
  const full = await timed(['mkautoinstallscript', '--image', 'compute', '--json']);
  const noop = await timed(['mkautoinstallscript', '--image', 'compute', '--json']);
  // One client changed: one script written, the other 10,002 files hard-linked into a new generation.
  const set = await si(home, ['client', 'set', 'node00001', '--domain', 'other.example']);
  if (set.exitCode !== 0) throw new Error(`si client set: ${set.stderr}`);
  const one = await timed(['mkautoinstallscript', '--image', 'compute', '--json']);
  const floor = filesystemFloor(join(home, 'scripts'));
  const lines = [
    '',
    `bench/registry: ${HOSTS} clients with a MAC each, a Debian minbase image (whole CLI runs, node start-up included)`,
    line('si addclients (new)', added.seconds, 1),
    line('si addclients (again, nothing to do)', again.seconds, 1),
    line('si mkautoinstallscript (all clients)', full.seconds, 2),
    line('si mkautoinstallscript (no change)', noop.seconds, 0.5),
    `  si mkautoinstallscript (one client changed)  ${one.seconds.toFixed(3)} s   (a new generation: 1 written, the rest hard-linked)`,
    `  for reference: this filesystem creates the same ${HOSTS + 3} files (write, rename) in ${floor.toFixed(3)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  // The times count only if the work was done: every script written once, then none.
  expect(full.json.written).toHaveLength(HOSTS + 3);
  expect(noop.json.written).toEqual([]);
  expect(one.json.written).toEqual(['node00001.sh']);
  expect(readFileSync(join(home, 'scripts', `node${HOSTS}.sh`), 'utf8')).toContain('address 10.64.40.16/16');
});
