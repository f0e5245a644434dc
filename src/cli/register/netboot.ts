import type { Command } from 'commander';
import { lazy } from '../lazy.js';

/** si netboot: the boot side of installing (docs/netboot.md). */
export function registerNetbootCommands(program: Command): void {
  const netboot = program.command('netboot').description('network boot: boot menus and DHCP configs for the clients');
  netboot
    .command('config')
    .description('render per-client iPXE, PXELINUX and GRUB-EFI menus and dnsmasq, ISC dhcpd and Kea configs from the registry')
    .option('--output <dir>', 'write into DIR/tftpboot and DIR/netboot instead of the home')
    .option('--settings <file>', 'netboot settings: extra entries, kernel arguments, server (default $SI_HOME/netboot.json)')
    .option('--server <ip>', "the boot server's address as the clients reach it")
    .option('--flavor <name>', 'installer kernel and initrd under boot/x86_64/<flavor>/', 'debian')
    .option('--dry-run', 'list the files that would be written, write nothing')
    .option('--json', 'print the files as JSON (path, host, and with --dry-run the text)')
    .action(lazy(() => import('../commands/netboot.js'), 'netbootConfigCommand'));
  netboot
    .command('serve')
    .description('run the boot server: dnsmasq (DHCP or proxyDHCP, TFTP) and HTTP (iPXE scripts from the registry, installer, events)')
    .requiredOption('--interface <if>', 'the network interface the clients boot on')
    .option('--dhcp-range <first,last>', 'also lend addresses from this pool to machines the registry does not know')
    .option('--proxy-dhcp', "answer only PXE/iPXE requests, beside the site's own DHCP server")
    .option('--http-port <n>', 'HTTP port (default: the settings file\'s httpPort, else 80)')
    .option('--settings <file>', 'netboot settings (default $SI_HOME/netboot.json)')
    .option('--server <ip>', "the boot server's address as the clients reach it (default: the interface's)")
    .option('--flavor <name>', 'installer kernel and initrd under boot/x86_64/<flavor>/', 'debian')
    .option('--unit', 'print a systemd unit that runs this same command instead of running it')
    .option('--output <file>', 'with --unit: write the unit to FILE')
    .action(lazy(() => import('../commands/netboot-serve.js'), 'netbootServeCommand'));

  netboot.command('unknown').description('list the MACs that netbooted and matched no host (--clear [MAC] forgets them)').option('--clear [mac]', 'forget one unknown MAC, or all').option('--json', 'JSON output').action(lazy(() => import('../commands/netboot-unknown.js'), 'netbootUnknownCommand'));
}
