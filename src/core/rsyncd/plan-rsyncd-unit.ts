import { UserError } from '../errors.js';

/** The context of templates/rsyncd/sisuite-rsyncd.service.hbs. Values are already quoted for systemd. */
export interface RsyncdUnitContext {
  /** `Environment=` value: SI_HOME=<home>, quoted. */
  environment: string;
  execStart: string;
}

export interface PlanRsyncdUnitOptions {
  /** How to run si: e.g. ['/usr/bin/node', '/opt/sisuite/bin/si'] or ['/usr/local/bin/si']. Absolute paths. */
  siArgv: readonly string[];
  home: string;
  address?: string;
  port?: number;
}

/** The systemd unit that runs `si rsyncd --foreground` for one SI_HOME. */
export function planRsyncdUnit({ siArgv, home, address, port }: PlanRsyncdUnitOptions): RsyncdUnitContext {
  if (siArgv.length === 0 || !siArgv[0]?.startsWith('/')) {
    throw new UserError('the systemd unit needs the absolute path of si (or of node and si): run si by its full path');
  }
  const argv = [...siArgv, 'rsyncd', '--foreground'];
  if (address !== undefined) argv.push('--address', address);
  if (port !== undefined) argv.push('--port', String(port));
  return {
    environment: quoteSystemd(`SI_HOME=${home}`),
    execStart: argv.map(quoteSystemd).join(' '),
  };
}

/**
 * One word for a systemd unit line. systemd expands `%` specifiers and `$` variables in ExecStart and
 * splits on blanks, so those are escaped ('%%', '$$') and a word with blanks or quotes is double-quoted.
 */
export function quoteSystemd(word: string): string {
  if (/[\r\n\0]/.test(word)) throw new UserError(`${JSON.stringify(word)} cannot be written to a systemd unit: it holds a line break`);
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
