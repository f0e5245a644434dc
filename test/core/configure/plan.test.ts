import { describe, expect, it } from 'vitest';
import { planConfigure } from '../../../src/core/configure/build-plan.js';
import { renderPlanAsShell } from '../../../src/core/configure/shell.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { HOST_FOR } from '../../fixtures/roots/hosts.js';
import { memoryTree } from '../../fixtures/roots/memory-tree.js';
import { FIXTURE_ROOTS, type FixtureRoot } from '../../fixtures/roots/trees.js';

const renderer = createRenderer();

function planFor(root: FixtureRoot) {
  const host = HOST_FOR[root.name];
  if (!host) throw new Error(`no host for ${root.name}`);
  return planConfigure({ tree: memoryTree(root), host, renderer });
}

const EXPECTED: Record<string, string[]> = {
  debian12: [
    'systemd-machine-id', 'dbus-machine-id-link', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'etc-hosts',
    'ifupdown', 'fstab', 'update-initramfs', 'initramfs-resume', 'grub-pc', 'localtime', 'debian-timezone', 'debian-keyboard',
    'site-scripts',
  ],
  ubuntu2404: [
    'systemd-machine-id', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'etc-hosts', 'netplan', 'fstab',
    'update-initramfs', 'initramfs-resume', 'grub-efi', 'localtime', 'debian-timezone', 'debian-keyboard',
  ],
  'debian-networkmanager': [
    'systemd-machine-id', 'dbus-machine-id-link', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'etc-hosts',
    'networkmanager', 'ifupdown-yields-to-networkmanager', 'fstab', 'update-initramfs', 'initramfs-resume', 'grub-pc',
    'localtime', 'debian-timezone', 'debian-keyboard',
  ],
  rocky9: [
    'systemd-machine-id', 'dbus-machine-id-link', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'etc-hosts',
    'networkmanager', 'fstab', 'dracut', 'grub2-efi', 'localtime', 'vconsole',
  ],
  rhel7: [
    'systemd-machine-id', 'dbus-machine-id-link', 'openssh-host-keys', 'golden-secrets', 'etc-hostname',
    'sysconfig-network-hostname', 'etc-hosts', 'ifcfg-rh', 'udev-persistent-net', 'fstab', 'dracut', 'grub2-pc', 'localtime',
    'vconsole',
  ],
  opensuse: [
    'systemd-machine-id', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'suse-hostname',
    'sysconfig-network-hostname', 'etc-hosts', 'ifcfg-suse', 'fstab', 'dracut', 'grub2-pc', 'localtime', 'vconsole',
  ],
  arch: [
    'systemd-machine-id', 'openssh-host-keys', 'golden-secrets', 'etc-hostname', 'etc-hosts', 'systemd-networkd', 'fstab',
    'mkinitcpio', 'systemd-boot', 'localtime', 'vconsole',
  ],
};

describe.each(FIXTURE_ROOTS.map((root) => [root.name, root] as const))('fixture %s', (name, root) => {
  it('detects the expected footprints', () => {
    expect(planFor(root).stages.flatMap((stage) => stage.footprints)).toEqual(EXPECTED[name]);
  });

  it('plans the golden plan, the same every time', async () => {
    const text = `${JSON.stringify(planFor(root), null, 2)}\n`;
    expect(`${JSON.stringify(planFor(root), null, 2)}\n`).toBe(text);
    await expect(text).toMatchFileSnapshot(`golden/${name}.plan.json`);
  });

  it('renders the golden shell applier', async () => {
    await expect(renderPlanAsShell(planFor(root))).toMatchFileSnapshot(`golden/${name}.sh`);
  });

  it('never puts the golden client identity into what it writes', () => {
    const plan = planFor(root);
    const written = plan.stages.flatMap((stage) => stage.write.map((write) => write.content)).join('\n');
    expect(written).not.toMatch(/golden|0f0f0f0f-1111/);
    const identity = plan.stages.find((stage) => stage.stage === 'identity');
    expect(identity?.identity.map((action) => action.path)).toEqual(
      expect.arrayContaining(['/etc/machine-id', '/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ed25519_key.pub', '/var/lib/systemd/random-seed']),
    );
    expect(identity?.commands).toEqual([{ argv: ['ssh-keygen', '-A'], chroot: true }]);
  });
});
