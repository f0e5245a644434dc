// A small SI_HOME with image versions, and helpers to reach an rsync daemon from a test.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { homePaths, imageLink, imageLinkTarget, versionDir, type HomePaths } from '../../../src/core/home.js';
import { switchLink } from '../../../src/infra/images/tree-ops.js';
import { capture, type RunResult } from '../../../src/infra/run.js';

/** Writes version `version` of `image` (a tree with a secret, a hardlink, symlinks, a nested dir) and makes it current. */
export function addImageVersion(paths: HomePaths, image: string, version: number, marker: string): string {
  const root = versionDir(paths, image, version);
  fs.mkdirSync(path.join(root, 'etc/ssh'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/share/doc/x'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/hostname'), `${image}-${marker}\n`);
  fs.writeFileSync(path.join(root, 'etc/shadow'), `root:$y$${marker}:19000:0:99999:7:::\n`, { mode: 0o640 });
  fs.chownSync(path.join(root, 'etc/shadow'), 0, 42);
  fs.writeFileSync(path.join(root, 'etc/ssh/ssh_host_ed25519_key'), `key ${marker}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'usr/share/doc/x/README'), `version ${marker} `.repeat(version * 50));
  fs.linkSync(path.join(root, 'usr/share/doc/x/README'), path.join(root, 'usr/share/doc/x/README.hardlink'));
  fs.symlinkSync('/etc/hostname', path.join(root, 'etc/hostname.abs'));
  fs.symlinkSync('../../etc/hostname', path.join(root, 'usr/share/hostname.rel'));
  fs.chownSync(path.join(root, 'usr/share/doc/x'), 1234, 5678);
  switchLink(imageLink(paths, image), imageLinkTarget(image, version));
  return root;
}

export function makeHome(dir: string): HomePaths {
  const paths = homePaths(path.join(dir, 'home'));
  fs.mkdirSync(paths.home, { recursive: true });
  return paths;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Lists the daemon's modules until it answers (or `ms` pass); returns the module names. */
export async function waitForModules(url: string, { prefix = [], ms = 10_000, want }: { prefix?: string[]; ms?: number; want?: string } = {}): Promise<string[]> {
  const until = Date.now() + ms;
  let last: { stdout: string; stderr: string; exitCode: number | null } | undefined;
  while (Date.now() < until) {
    last = await capture([...prefix, 'rsync', '--contimeout=2', url]);
    const modules = last.stdout.split('\n').map((line) => line.split(/\s/)[0] ?? '').filter(Boolean);
    if (last.exitCode === 0 && (!want || modules.includes(want))) return modules;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`rsync daemon at ${url} did not list ${want ?? 'its modules'} within ${ms} ms: ${last?.stderr ?? ''}${last?.stdout ?? ''}`);
}

export type Captured = Pick<RunResult, 'stdout' | 'stderr'> & { exitCode: number | null };
