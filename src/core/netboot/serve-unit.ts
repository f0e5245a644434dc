import { UserError } from '../errors.js';
import { quoteSystemd } from '../rsyncd/plan-rsyncd-unit.js';

/** The context of templates/netboot/sisuite-netboot.service.hbs; values already quoted for systemd. */
export interface ServeUnitContext {
  environment: string;
  execStart: string;
  iface: string;
}

export interface PlanServeUnitOptions {
  /** How to run si, absolute paths: ['/usr/bin/node', '/opt/sisuite/bin/si'] or ['/usr/local/bin/si']. */
  siArgv: readonly string[];
  home: string;
  /** `si netboot serve`'s own options, as given (without --unit and --output). */
  serveArgs: readonly string[];
  iface: string;
}

/** The systemd unit that runs the same `si netboot serve` command line for one SI_HOME. */
export function planServeUnit({ siArgv, home, serveArgs, iface }: PlanServeUnitOptions): ServeUnitContext {
  if (siArgv.length === 0 || !siArgv[0]?.startsWith('/')) {
    throw new UserError('the systemd unit needs the absolute path of si (or of node and si): run si by its full path');
  }
  return {
    environment: quoteSystemd(`SI_HOME=${home}`),
    execStart: [...siArgv, 'netboot', 'serve', ...serveArgs].map(quoteSystemd).join(' '),
    // systemd's device unit name for the interface: waits for it to exist.
    iface: quoteSystemd(iface),
  };
}
