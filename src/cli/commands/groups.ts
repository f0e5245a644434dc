import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import type { GroupRecord } from '../../core/registry/client-store.js';
import { withStore } from '../context.js';
import { printJson, printLine, printTable } from '../output.js';
import { splitList } from '../input.js';

interface GroupOptions {
  image?: string;
  overrides?: string;
  json?: boolean;
}

export async function groupAddCommand(name: string, options: GroupOptions, command: Command): Promise<void> {
  await saveGroup(name, options, command, 'add');
}

export async function groupSetCommand(name: string, options: GroupOptions, command: Command): Promise<void> {
  await saveGroup(name, options, command, 'set');
}

async function saveGroup(name: string, options: GroupOptions, command: Command, mode: 'add' | 'set'): Promise<void> {
  checkName('group', name);
  await withStore(command, (store) => {
    const registry = store.clients;
    const existing = registry.findGroup(name);
    if (mode === 'add' && existing) throw new UserError(`group ${name} exists already: change it with 'si group set ${name}'`);
    if (mode === 'set' && !existing) throw new UserError(`no group named ${name}: create it with 'si group add ${name}'`);
    if (options.image) store.requireImage(options.image);
    const group: GroupRecord = {
      name,
      image: options.image ?? existing?.image ?? null,
      overrides: options.overrides === undefined ? (existing?.overrides ?? []) : splitList(options.overrides).map((o) => checkName('group', o)),
    };
    registry.saveGroup(group, new Date().toISOString());
    if (options.json) return printJson(group);
    printLine(`${mode === 'add' ? 'added' : 'changed'} group ${name}`);
  });
}

export async function groupListCommand(options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const registry = store.clients;
    const clients = registry.listClients();
    const groups = registry.listGroups().map((g) => ({ ...g, members: clients.filter((c) => c.groups.includes(g.name)).length }));
    if (options.json) return printJson(groups);
    if (groups.length === 0) return printLine('no groups: add one with si group add NAME');
    printTable(['GROUP', 'IMAGE', 'OVERRIDES', 'MEMBERS'], groups.map((g) => [g.name, g.image ?? '-', g.overrides.join(',') || '-', g.members]));
  });
}

export async function groupShowCommand(name: string, options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const registry = store.clients;
    const group = registry.findGroup(checkName('group', name));
    if (!group) throw new UserError(`no group named ${name}: see 'si group list'`);
    const members = registry.listClients().filter((c) => c.groups.includes(name)).map((c) => c.hostname);
    if (options.json) return printJson({ ...group, members });
    printLine(`group      ${group.name}`);
    printLine(`image      ${group.image ?? '-'}`);
    printLine(`overrides  ${group.overrides.join(' ') || '-'}`);
    printLine(`members    ${members.join(' ') || '-'}`);
  });
}

export async function groupRmCommand(name: string, options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const registry = store.clients;
    if (!registry.findGroup(checkName('group', name))) throw new UserError(`no group named ${name}: see 'si group list'`);
    const members = registry.listClients().filter((c) => c.groups.includes(name));
    if (members.length > 0) {
      throw new UserError(`group ${name} still has ${members.length} members (${members[0]?.hostname}...): move them with 'si client set RANGE --groups ...' first`);
    }
    registry.deleteGroup(name);
    if (options.json) return printJson({ removed: name });
    printLine(`removed group ${name}`);
  });
}
