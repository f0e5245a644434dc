/** One request to the boot server, as the request log prints it. */
export interface RequestRecord {
  time: Date;
  proto: 'TFTP' | 'HTTP';
  ip: string;
  /** Colon form; null when neither the request, the leases nor the registry tell it. */
  mac: string | null;
  path: string;
  status: number;
  bytes: number;
}

/** `TIME PROTO IP MAC PATH STATUS BYTES`: one line per request, `-` for an unknown MAC; blanks in a path escaped. */
export function formatRequestLine(r: RequestRecord): string {
  const time = r.time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const path = r.path.replace(/[\s\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${time} ${r.proto} ${r.ip} ${r.mac ?? '-'} ${path} ${r.status} ${r.bytes}`;
}

/** What the boot server learns from a line of dnsmasq's log. */
export type DnsmasqEvent =
  | { kind: 'lease'; ip: string; mac: string }
  | { kind: 'tftp'; ip: string; file: string; status: 200 | 404 };

const IP = String.raw`(\d{1,3}(?:\.\d{1,3}){3})`;
// DHCPACK: a lease we gave; PXE: a proxyDHCP answer to a client that already has its address from the site.
const ACK = new RegExp(String.raw`(?:DHCPACK|PXE)\([^)]*\) ${IP} ((?:[0-9a-f]{2}:){5}[0-9a-f]{2})`, 'i');
const SENT = new RegExp(String.raw`dnsmasq-tftp.*: sent (\S+) to ${IP}`);
const MISSING = new RegExp(String.raw`dnsmasq-tftp.*: (?:file|cannot access) (\S+?):? (?:not found|.*) for ${IP}`);

/**
 * dnsmasq's log lines that matter to the request log: a DHCPACK (which MAC has which address) and a TFTP
 * transfer sent or refused. Everything else is null.
 */
export function parseDnsmasqLine(line: string): DnsmasqEvent | null {
  const ack = ACK.exec(line);
  if (ack) return { kind: 'lease', ip: ack[1]!, mac: ack[2]!.toLowerCase() };
  const sent = SENT.exec(line);
  if (sent) return { kind: 'tftp', file: sent[1]!, ip: sent[2]!, status: 200 };
  const missing = MISSING.exec(line);
  if (missing) return { kind: 'tftp', file: missing[1]!, ip: missing[2]!, status: 404 };
  return null;
}
