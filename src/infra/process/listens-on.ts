import fs from 'node:fs';

const LISTEN = '0A';

/**
 * Whether process `pid` itself holds a TCP socket listening on `port` (IPv4 or IPv6), read from /proc in the
 * process's own network namespace: no connection is made (a daemon would log it), and another program that
 * holds the port does not count (that is the busy-port case, not readiness).
 */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (pid === undefined) return false;
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readLines(`/proc/${pid}/net/${table}`).slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1] ?? '';
      const inode = fields[9];
      if (fields[3] === LISTEN && inode && Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(inode);
    }
  }
  if (inodes.size === 0) return false;
  return listFds(pid).some((fd) => {
    const match = /^socket:\[(\d+)\]$/.exec(readLink(`/proc/${pid}/fd/${fd}`));
    return match?.[1] !== undefined && inodes.has(match[1]);
  });
}

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function listFds(pid: number): string[] {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
}

function readLink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}
