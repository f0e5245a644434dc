// si-updateclient as rendered: the golden file, and that dash, busybox sh and shellcheck accept it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_EXCLUDES } from '../../../src/core/updates/excludes.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { renderUpdateClient } from '../../../src/infra/updates/render-updateclient.js';
import { removeDir, tempDir } from '../configure/trees.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'si-updateclient');

describe('si-updateclient as rendered', () => {
  let work: string;
  let script: string;
  let text: string;
  beforeAll(() => {
    work = tempDir('si-uc-render-');
    text = renderUpdateClient(createRenderer());
    script = join(work, 'si-updateclient');
    writeFileSync(script, text, { mode: 0o755 });
    // Goldens are rewritten only on request.
    if (process.env.SI_UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, text);
  });
  afterAll(() => removeDir(work));

  it('matches the golden file', () => {
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('passes sh -n under dash and busybox sh, and shellcheck', async () => {
    for (const argv of [['dash', '-n', script], ['busybox', 'sh', '-n', script], ['shellcheck', '-s', 'sh', '-S', 'style', script]]) {
      const result = await capture(argv);
      expect(`${argv.join(' ')}: ${result.stdout}${result.stderr}`).toBe(`${argv.join(' ')}: `);
      expect(result.exitCode).toBe(0);
    }
  });

  it('carries every built-in exclude, one per line, anchored at /', () => {
    const block = text.split("<<'SU_EXCLUDES'\n")[1]?.split('\nSU_EXCLUDES\n')[0]?.split('\n') ?? [];
    for (const pattern of BUILTIN_EXCLUDES) expect(block).toContain(pattern);
    for (const line of block) expect(line.startsWith('/')).toBe(true);
  });

  it('refuses a bad argument and a missing configuration with one line and exit 2, changing nothing', async () => {
    const bad = await capture(['sh', script, '--frobnicate']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('si-updateclient: unknown argument --frobnicate: see si-updateclient --help\n');
    const noConf = await capture(['sh', script, '--root', work]);
    expect(noConf.exitCode).toBe(2);
    expect(noConf.stderr.trim().split('\n')).toHaveLength(1);
    expect(noConf.stderr).toContain(`no configuration ${work}/etc/sisuite/updateclient.conf`);
  });
});
