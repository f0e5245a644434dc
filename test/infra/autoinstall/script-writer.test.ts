// ScriptFiles and the writer thread behind it: what they write, what they leave alone, and how they fail.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { homePaths } from '../../../src/core/home.js';
import { ScriptFiles } from '../../../src/infra/autoinstall/script-files.js';
import { ScriptGenerations } from '../../../src/infra/autoinstall/script-generations.js';
import { ScriptWriter } from '../../../src/infra/autoinstall/script-writer.js';
import { removeDir, tempDir } from '../configure/trees.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the script writer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('si-writer-');
  });
  afterEach(() => removeDir(dir));

  it('writes more files than one message holds, in order, with their modes', async () => {
    const writer = new ScriptWriter(dir);
    const names = Array.from({ length: 150 }, (_, i) => `host${String(i).padStart(3, '0')}.sh`);
    for (const name of names) writer.write({ name, content: `#!/bin/sh\necho ${name}\n`, mode: 0o755 });
    const results = await writer.finish();
    expect(results.map((r) => r.name)).toEqual(names);
    expect(readdirSync(dir).sort()).toEqual(names);
    expect(readFileSync(join(dir, 'host149.sh'), 'utf8')).toBe('#!/bin/sh\necho host149.sh\n');
    expect(statSync(join(dir, 'host000.sh')).mode & 0o777).toBe(0o755);
    expect(results[7]).toEqual({ name: 'host007.sh', sha256: sha256('#!/bin/sh\necho host007.sh\n'), size: 26 });
  });

  it('leaves a file alone that already holds the content (same inode in the next generation), and rewrites one changed behind its back', async () => {
    const paths = homePaths(join(dir, 'home'));
    const render = async (inputs: string) => {
      const generations = await ScriptGenerations.open(paths);
      try {
        const files = new ScriptFiles(generations);
        files.put('same.sh', 'same\n', { image: 'img', inputs, mode: 0o755 });
        files.put('edited.sh', 'rendered\n', { image: 'img', inputs, mode: 0o755 });
        return { files, result: await files.save() };
      } finally {
        generations.close();
      }
    };
    await render('a');
    writeFileSync(join(paths.scripts, 'edited.sh'), 'by hand!\n');
    const before = statSync(join(paths.scripts, 'same.sh')).ino;
    const { files, result } = await render('b');
    expect([result.unchanged, result.written, result.generation]).toEqual([['same.sh'], ['edited.sh'], 2]);
    expect(statSync(join(paths.scripts, 'same.sh')).ino).toBe(before);
    expect(readFileSync(join(paths.scripts, 'edited.sh'), 'utf8')).toBe('rendered\n');
    expect(files.manifest.files['same.sh']).toEqual({ image: 'img', sha256: sha256('same\n'), size: 5, inputs: 'b' });
  });

  it('reports a directory it cannot write to as one line naming the file, and writes nothing after it', async () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const writer = new ScriptWriter(join(file, 'scripts'));
    writer.write({ name: 'a.sh', content: 'a\n', mode: 0o755 });
    const failure = writer.finish();
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toThrow(/^cannot write .*not-a-directory\/scripts\/a\.sh: ENOTDIR.*; check the permissions and free space of /);
    expect(readdirSync(dir)).toEqual(['not-a-directory']);
  });

  it('answers at once when nothing was queued, and close() stops a thread that will never be asked to finish', async () => {
    expect(await new ScriptWriter(dir).finish()).toEqual([]);
    const writer = new ScriptWriter(dir);
    for (let i = 0; i < 70; i++) writer.write({ name: `f${i}`, content: 'x', mode: 0o644 });
    await writer.close();
    expect(await writer.finish()).toEqual([]);
  });
});
