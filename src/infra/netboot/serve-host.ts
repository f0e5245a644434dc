import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { BOOT_LOADERS, type ServeInterface } from '../../core/netboot/serve-plan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { capture } from '../run.js';

interface IpAddr {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

/** The interface's first IPv4 address (and whether it has a global IPv6 one, for router advertisements). */
export async function probeInterface(name: string): Promise<ServeInterface & { ipv6: boolean }> {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(name) || name.startsWith('-')) {
    throw new UserError(`invalid --interface ${JSON.stringify(name)}: give a network interface name (ip link)`);
  }
  const result = await capture(['ip', '-j', 'addr', 'show', 'dev', name]);
  if (result.exitCode === null) throw new UserError('the ip program is missing: install iproute2');
  if (result.exitCode !== 0) {
    const all = await capture(['ip', '-j', 'link', 'show']);
    const names = all.exitCode === 0 ? (JSON.parse(all.stdout) as IpAddr[]).map((l) => l.ifname).filter((n) => n !== 'lo') : [];
    throw new UserError(`no network interface ${name} on this server: give one of ${names.join(', ') || '(none)'} as --interface`);
  }
  const [link] = JSON.parse(result.stdout) as IpAddr[];
  const addrs = link?.addr_info ?? [];
  const v4 = addrs.find((a) => a.family === 'inet');
  if (!v4) throw new UserError(`interface ${name} has no IPv4 address: give it the boot network's address (ip addr add ADDR/PREFIX dev ${name}) or choose another --interface`);
  return { name, address: v4.local, prefix: v4.prefixlen, ipv6: addrs.some((a) => a.family === 'inet6' && a.scope === 'global') };
}

/**
 * Puts the boot loaders into the TFTP root when missing (a site's own copy is kept), and a `boot` link to
 * $SI_HOME/boot, where PXELINUX finds the installer. Returns the files copied.
 */
export function installBootLoaders(tftpRoot: string, bootRoot: string, loaders = BOOT_LOADERS): string[] {
  fs.mkdirSync(tftpRoot, { recursive: true });
  const copied: string[] = [];
  for (const loader of loaders) {
    const target = path.join(tftpRoot, loader.file);
    if (fs.existsSync(target)) continue;
    if (!fs.existsSync(loader.source)) {
      throw new UserError(`${loader.source} is missing: install the Debian package ${loader.pkg} (apt-get install ${loader.pkg}), or put ${loader.file} into ${tftpRoot} yourself`);
    }
    writeFileAtomic(target, fs.readFileSync(loader.source));
    copied.push(loader.file);
  }
  const link = path.join(tftpRoot, 'boot');
  if (!fs.existsSync(link) && !isSymlink(link)) fs.symlinkSync(path.relative(tftpRoot, bootRoot), link);
  return copied;
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
