import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import { groupMembers, listGroupsWithMembers } from '../../core/clients/plan-groups.js';
import { removeGroup, saveGroup } from '../../infra/clients/group-service.js';
import { withStore } from '../context.js';
import { printJson, printLine, printTable } from '../output.js';
import { splitList } from '../input.js';

interface GroupOptions {
  image?: string;
  overrides?: string;
  json?: boolean;
}

export async function groupAddCommand(name: string, options: GroupOptions, command: Command): Promise<void> {
  await writeGroup(name, options, command, 'add');
}

export async function groupSetCommand(name: string, options: GroupOptions, command: Command): Promise<void> {
  await writeGroup(name, options, command, 'set');
}

async function writeGroup(name: string, options: GroupOptions, command: Command, mode: 'add' | 'set'): Promise<void> {
  checkName('group', name);
  const request = { name, image: options.image, overrides: options.overrides === undefined ? undefined : splitList(options.overrides) };
  await withStore(command, (store) => {
    const group = saveGroup(store, mode, request);
    if (options.json) return printJson(group);
    printLine(`${mode === 'add' ? 'added' : 'changed'} group ${name}`);
  });
}

export async function groupListCommand(options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const groups = listGroupsWithMembers(store.clients.listGroups(), store.clients.listClients());
    if (options.json) return printJson(groups);
    if (groups.length === 0) return printLine('no groups: add one with si group add NAME');
    printTable(['GROUP', 'IMAGE', 'OVERRIDES', 'MEMBERS'], groups.map((g) => [g.name, g.image ?? '-', g.overrides.join(',') || '-', g.members]));
  });
}

export async function groupShowCommand(name: string, options: { json?: boolean }, command: Command): Promise<void> {
  await withStore(command, (store) => {
    const group = store.clients.findGroup(checkName('group', name));
    if (!group) throw new UserError(`no group named ${name}: see 'si group list'`);
    const members = groupMembers(name, store.clients.listClients());
    if (options.json) return printJson({ ...group, members });
    printLine(`group      ${group.name}`);
    printLine(`image      ${group.image ?? '-'}`);
    printLine(`overrides  ${group.overrides.join(' ') || '-'}`);
    printLine(`members    ${members.join(' ') || '-'}`);
  });
}

export async function groupRmCommand(name: string, options: { json?: boolean }, command: Command): Promise<void> {
  checkName('group', name);
  await withStore(command, (store) => {
    removeGroup(store, name);
    if (options.json) return printJson({ removed: name });
    printLine(`removed group ${name}`);
  });
}
