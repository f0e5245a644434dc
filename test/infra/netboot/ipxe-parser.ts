// A small iPXE script parser: enough to catch a menu that jumps to a label it does not have.
const COMMANDS = new Set(['menu', 'item', 'choose', 'goto', 'kernel', 'initrd', 'module', 'boot', 'chain', 'exit', 'sanboot', 'shell', 'set', 'echo', 'iseq', 'reboot', 'dhcp']);

export interface IpxeScript {
  labels: string[];
  items: string[];
  defaultItem: string | null;
}

export function parseIpxe(text: string): IpxeScript {
  const lines = text.split('\n');
  if (lines[0] !== '#!ipxe') throw new Error('an iPXE script starts with #!ipxe');
  const labels: string[] = [];
  const targets: string[] = [];
  const items: string[] = [];
  let defaultItem: string | null = null;
  for (const [n, raw] of lines.slice(1).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith(':')) {
      labels.push(line.slice(1));
      continue;
    }
    // `a || b` and `a && b`: each part is a command of its own.
    for (const part of line.split(/\s*(?:\|\||&&)\s*/).filter(Boolean)) {
      const [command, ...args] = part.split(/\s+/);
      if (!COMMANDS.has(command!)) throw new Error(`line ${n + 2}: unknown command ${command}`);
      if (command === 'goto' && args[0] !== '${target}') targets.push(args[0]!);
      if (command === 'item' && !args[0]!.startsWith('--')) items.push(args[0]!);
      if (command === 'choose') defaultItem = args[args.indexOf('--default') + 1] ?? null;
    }
  }
  for (const target of [...targets, ...items]) if (!labels.includes(target)) throw new Error(`goto ${target}: no label :${target}`);
  if (defaultItem !== null && !items.includes(defaultItem)) throw new Error(`choose --default ${defaultItem}: no such item`);
  return { labels, items, defaultItem };
}
