import fs from 'node:fs';
import path from 'node:path';
import { formatRequestLine, parseDnsmasqLine, type RequestRecord } from '../../core/netboot/serve-log.js';

export interface RequestLog {
  /** Logs one request; its MAC, when the caller does not know it, from the leases or the registry. */
  request(record: Omit<RequestRecord, 'time' | 'mac'> & { mac?: string | null }): void;
  /** A line of dnsmasq's log: leases are remembered, TFTP transfers logged. */
  dnsmasqLine(line: string): void;
  /** A line that is not a request (started, reloaded), to the log file only. */
  note(text: string): void;
  close(): Promise<void>;
}

export interface RequestLogOptions {
  /** $SI_HOME/log/netboot.log, appended to. */
  file: string;
  tftpRoot: string;
  /** Each request line, as written to the file (the CLI prints it on stdout). */
  onLine: (line: string) => void;
  /** The registry's answer for an address not seen in a DHCPACK (a client with a static address). */
  macOfIp: (ip: string) => string | null;
  /** The dnsmasq.leases file read at start: leases from before a restart. */
  leaseFile?: string;
}

/** Reads dnsmasq's lease file (`EXPIRY MAC IP NAME CLIENTID` per line) into ip -> MAC. */
function readLeases(file: string | undefined): Map<string, string> {
  const leases = new Map<string, string>();
  if (!file) return leases;
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return leases;
  }
  for (const line of text.split('\n')) {
    const [, mac, ip] = line.split(' ');
    if (mac && ip && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) leases.set(ip, mac.toLowerCase());
  }
  return leases;
}

/**
 * The MAC the kernel's neighbour table holds for an address (/proc/net/arp, complete entries): a client we
 * just talked to is there, also one whose address came from the site's DHCP server (proxy mode).
 */
function neighbourMac(ip: string): string | null {
  let text = '';
  try {
    text = fs.readFileSync('/proc/net/arp', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n').slice(1)) {
    const [address, , flags, mac] = line.trim().split(/\s+/);
    if (address === ip && mac && (Number(flags) & 0x2) !== 0 && mac !== '00:00:00:00:00:00') return mac.toLowerCase();
  }
  return null;
}

/** The boot server's request log: one line per TFTP or HTTP request, on stdout and in netboot.log. */
export function openRequestLog(options: RequestLogOptions): RequestLog {
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  const stream = fs.createWriteStream(options.file, { flags: 'a' });
  // A full disk must not stop the boot server: the line still reaches stdout.
  stream.on('error', () => undefined);
  const leases = readLeases(options.leaseFile);
  const macOf = (ip: string) => leases.get(ip) ?? neighbourMac(ip) ?? options.macOfIp(ip);

  const request: RequestLog['request'] = (record) => {
    const line = formatRequestLine({ ...record, time: new Date(), mac: record.mac ?? macOf(record.ip) });
    stream.write(`${line}\n`);
    options.onLine(line);
  };
  const tftpRoot = path.resolve(options.tftpRoot);

  return {
    request,
    dnsmasqLine: (line) => {
      const event = parseDnsmasqLine(line);
      if (!event) return;
      if (event.kind === 'lease') {
        leases.set(event.ip, event.mac);
        return;
      }
      // dnsmasq names the file by its full path; the log shows it as the client asked (under the root).
      const relative = path.relative(tftpRoot, event.file);
      const shown = relative.startsWith('..') || path.isAbsolute(relative) ? event.file : `/${relative}`;
      let bytes = 0;
      if (event.status === 200) {
        try {
          bytes = fs.statSync(event.file).size;
        } catch {
          bytes = 0;
        }
      }
      request({ proto: 'TFTP', ip: event.ip, path: shown, status: event.status, bytes });
    },
    note: (text) => {
      stream.write(`${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')} ${text}\n`);
    },
    close: () => new Promise((resolve) => stream.end(() => resolve())),
  };
}
