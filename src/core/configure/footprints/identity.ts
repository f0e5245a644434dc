import type { Footprint } from '../footprint.js';

/** Random seeds and per-machine secrets: whichever of them an image holds is the golden client's. */
const GOLDEN_SECRETS = [
  '/var/lib/systemd/random-seed',
  '/var/lib/urandom/random-seed',
  '/var/lib/systemd/credential.secret',
  '/var/lib/NetworkManager/secret_key',
  '/boot/loader/random-seed',
  '/boot/efi/loader/random-seed',
  '/efi/loader/random-seed',
];

const SYSTEMD = ['/etc/machine-id', '/usr/lib/systemd/systemd', '/lib/systemd/systemd', '/usr/bin/systemctl'];

export const IDENTITY_FOOTPRINTS: Footprint[] = [
  {
    id: 'systemd-machine-id',
    stage: 'identity',
    label: 'systemd',
    summary: 'a fresh /etc/machine-id (32 lowercase hex digits and a newline, as systemd writes it)',
    detect: { any: SYSTEMD },
    slot: 'machine-id',
    priority: 20,
    identity: { machineIds: ['/etc/machine-id'] },
  },
  {
    id: 'dbus-machine-id-link',
    stage: 'identity',
    label: 'D-Bus',
    summary: '/var/lib/dbus/machine-id as a symlink to /etc/machine-id, as Debian and Fedora ship it',
    detect: { all: ['/var/lib/dbus'], any: SYSTEMD },
    links: [{ path: '/var/lib/dbus/machine-id', target: '/etc/machine-id' }],
  },
  {
    id: 'dbus-machine-id',
    stage: 'identity',
    label: 'D-Bus',
    summary: 'a fresh /var/lib/dbus/machine-id on systems without systemd',
    detect: { all: ['/var/lib/dbus'], none: SYSTEMD },
    slot: 'machine-id',
    priority: 10,
    identity: { machineIds: ['/var/lib/dbus/machine-id'] },
  },
  {
    id: 'openssh-host-keys',
    stage: 'identity',
    label: 'OpenSSH server',
    summary: "removes the golden client's /etc/ssh/ssh_host_* keys and runs `ssh-keygen -A` for new ones",
    detect: { any: ['/etc/ssh/sshd_config', '/usr/sbin/sshd'] },
    slot: 'ssh-host-keys',
    identity: { drop: ['/etc/ssh/ssh_host_*'], owned: ['/etc/ssh/ssh_host_*'] },
    commands: [{ argv: ['ssh-keygen', '-A'] }],
  },
  {
    id: 'golden-secrets',
    stage: 'identity',
    label: 'random seed',
    summary: "removes the golden client's random seeds and per-machine secrets (systemd, sysvinit, systemd-boot, NetworkManager)",
    detect: { any: GOLDEN_SECRETS },
    identity: { drop: GOLDEN_SECRETS },
  },
];
