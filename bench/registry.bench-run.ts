// bench/registry: si addclients for 10,000 hosts, si mkautoinstallscript for 10,000 clients, and a no-op
// re-render, each timed as a user runs it (the whole CLI), against the targets of the client registry issue.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { si } from '../test/support/si.js';
import { makeImage } from '../test/support/images.js';

const HOSTS = 10_000;
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'si-bench-registry-'));
  makeImage(home, 'compute', { 'etc/hostname': 'golden\n', 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  const result = await si(home, args, { timeout: 600_000 });
  if (result.exitCode !== 0) throw new Error(`si ${args.join(' ')}: ${result.stderr}`);
  return (performance.now() - started) / 1000;
}

function line(label: string, seconds: number, target: number): string {
  return `  ${label.padEnd(42)} ${seconds.toFixed(3)} s   target ${target} s   ratio ${(seconds / target).toFixed(2)}`;
}

it(`registers and renders ${HOSTS} clients`, async () => {
  const add = await timed(['addclients', '--hosts', `node[00001-${HOSTS}]`, '--ip', '10.64.0.1', '--netmask', '16', '--image', 'compute', '--json']);
  const again = await timed(['addclients', '--hosts', `node[00001-${HOSTS}]`, '--ip', '10.64.0.1', '--netmask', '16', '--image', 'compute', '--json']);
  const lines = ['', `bench/registry: ${HOSTS} clients (whole CLI runs, node start-up included)`, line('si addclients (new)', add, 1), line('si addclients (again, nothing to do)', again, 1)];
  const help = await si(home, ['--help']);
  if (help.stdout.includes('mkautoinstallscript')) {
    const full = await timed(['mkautoinstallscript', '--image', 'compute', '--json']);
    const noop = await timed(['mkautoinstallscript', '--image', 'compute', '--json']);
    lines.push(line('si mkautoinstallscript (all clients)', full, 2), line('si mkautoinstallscript (no change)', noop, 0.5));
  } else lines.push('  si mkautoinstallscript: not available in this build');
  process.stdout.write(`${lines.join('\n')}\n\n`);
  expect(add).toBeGreaterThan(0);
});
