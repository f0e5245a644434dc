import { z } from 'zod';
import { UserError } from '../errors.js';

const word = z.string().min(1).regex(/^[^\s'"\\$;{}]+$/, 'one word: no blanks, quotes, backslashes, $, ; or braces (each loader would read them its own way)');
/** A path relative to the boot root (served by TFTP and HTTP alike), never leaving it. */
const relPath = z.string().min(1).regex(/^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/, 'a relative path of letters, digits and ._+-')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ..');
const entryName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,30}$/, 'a short name of a-z, 0-9, _ and -')
  .refine((n) => !['install', 'local', 'shell', 'start'].includes(n), 'install, local, shell and start are taken by the menu');

const entrySchema = z.object({
  name: entryName,
  label: z.string().min(1).max(60).regex(/^[^\n"'{}$\\]+$/, 'plain text without quotes, braces, $ or backslashes'),
  /** linux: kernel + initrds; multiboot: a multiboot kernel (SmartOS unix) + modules, args such as `-B a=b,c=d`. */
  type: z.enum(['linux', 'multiboot']),
  kernel: relPath,
  args: z.array(word).default([]),
  modules: z.array(relPath).default([]),
  /** Every file under this folder is added to the entry as a module (multiboot) or initrd (linux). */
  overlay: relPath.optional(),
  /** Only for these hosts / members of these groups; every client when both are missing. */
  hosts: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
}).strict();

const argsMap = z.record(z.string(), z.array(word));

export const netbootSettingsSchema = z.object({
  /** The boot server's address as the clients reach it (TFTP next-server, HTTP, si.server=). */
  server: z.ipv4().optional(),
  httpPort: z.number().int().min(1).max(65535).default(80),
  /** Menu timeout before the default entry boots. */
  timeoutSeconds: z.number().int().min(0).max(3600).default(10),
  kernelArgs: z.object({ all: z.array(word).default([]), groups: argsMap.default({}), hosts: argsMap.default({}) }).strict().default({ all: [], groups: {}, hosts: {} }),
  entries: z.array(entrySchema).default([]),
}).strict();

export type NetbootSettings = z.infer<typeof netbootSettingsSchema>;
export type BootEntry = z.infer<typeof entrySchema>;

/** Parses the netboot settings file (JSON); errors name the file and the document path. */
export function parseNetbootSettings(text: string | undefined, file: string): NetbootSettings {
  let data: unknown = {};
  if (text !== undefined) {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new UserError(`${file} is not valid JSON (${(error as Error).message}): fix the file`);
    }
  }
  const result = netbootSettingsSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.length ? issue.path.join('.') : '(top)';
    throw new UserError(`${file}: ${at}: ${issue.message}: fix the file (docs/netboot.md)`);
  }
  const names = result.data.entries.map((e) => e.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UserError(`${file}: entries: the name ${twice} is used twice: give each entry its own name`);
  return result.data;
}
