import type { ClientRecord } from '../clients/client-record.js';
import { parseNetmask } from '../clients/ipv4.js';
import { BOOT_MAC_TOKEN } from '../configure/boot-mac.js';
import { checkHostConfig, type FilesystemConfig, type HostConfig } from '../configure/host-config.js';
import { BOOT_DISK_TOKEN } from '../configure/shell.js';
import type { LayoutContext } from './layout-context.js';
import { filesystemUuid } from './uuids.js';

export interface InstallHost {
  host: HostConfig;
  /** SI_FS_UUID_<index>: one UUID (vfat: volume id) per filesystem of the layout, in layout-context order. */
  uuids: string[];
  warnings: string[];
}

/**
 * What the configurator needs for a client being installed: its name, its first MAC (or, without one, the
 * interface it boots from: BOOT_MAC_TOKEN) with the registry's static address (further MACs only identify it
 * for netboot), the layout's filesystems with the UUIDs
 * this host gets, and the boot disk left to install time.
 */
export function installHostConfig({ client, image, layout }: { client: ClientRecord; image: string; layout: LayoutContext }): InstallHost {
  const uuids = layout.filesystems.map((fs) => filesystemUuid({ host: client.hostname, image, place: fs.place, type: fs.type }));
  const filesystems: FilesystemConfig[] = layout.filesystems.flatMap((fs, i): FilesystemConfig[] => {
    const uuid = uuids[i] as string;
    const options = fs.filesystem.mountOptions.join(',');
    if (fs.type === 'swap') return [{ uuid, mountpoint: 'none', fstype: 'swap', options: options || 'sw', dump: 0, pass: 0 }];
    if (fs.mount === null) return [];
    return [{ uuid, mountpoint: fs.mount, fstype: fs.type, options: options || 'defaults', dump: 0, pass: fs.mount === '/' ? 1 : 2 }];
  });
  const warnings: string[] = [];
  // Without a MAC in the registry, the interface it booted from: the install knows its MAC (SI_BOOT_MAC).
  const mac = client.macs[0] ?? BOOT_MAC_TOKEN;
  const interfaces: HostConfig['interfaces'] = [
    {
      mac,
      ip: client.ip,
      prefix: parseNetmask(client.netmask),
      ...(client.gateway ? { gateway: client.gateway } : {}),
      ...(client.dns.length > 0 ? { dns: client.dns } : {}),
    },
  ];
  // Checked without the boot disk: the token is not a device path, and it is ours, not the registry's.
  const checked = checkHostConfig({ hostname: client.hostname, ...(client.domain ? { domain: client.domain } : {}), interfaces, filesystems });
  return { host: { ...checked, bootDisk: BOOT_DISK_TOKEN }, uuids, warnings };
}
