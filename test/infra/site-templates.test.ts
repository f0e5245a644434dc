// A site copy of a template that is broken: the error names the site file, in one line, also through si.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { createRenderer } from '../../src/infra/templates.js';
import { makeImage } from '../support/images.js';
import { si, siOk } from '../support/si.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function templatesDir(files: Record<string, string | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'si-site-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    if (text === null) mkdirSync(join(dir, name), { recursive: true });
    else {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  }
  return dir;
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
}

describe('site templates that are broken', () => {
  const shipped = () => templatesDir({ 'a.hbs': 'shipped {{x}} {{> p}}\n', 'partials/p.hbs': 'partial {{x}}' });

  it('a directory where a site template goes: one line naming it', () => {
    const site = templatesDir({ 'a.hbs': null });
    const error = errorOf(() => createRenderer({ shippedDir: shipped(), siteDir: site }).render('a', { x: 1 }));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`site template ${join(site, 'a.hbs')} is a directory, not a template file: remove it to use the shipped one, or put a template there`);
  });

  it('a Handlebars parse error in a site template or site partial: one line naming the file and the line', () => {
    for (const [file, text] of [['a.hbs', 'site {{#if x}} unclosed\n'], ['partials/p.hbs', 'line one\n{{x}']] as const) {
      const site = templatesDir({ [file]: text });
      const error = errorOf(() => createRenderer({ shippedDir: shipped(), siteDir: site }).render('a', { x: 1 }));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(new RegExp(`^site template ${join(site, file)}: Parse error on line \\d+.*: fix it, or remove it to use the shipped one$`));
    }
  });

  it('a strict-mode missing field in a site template or in a site partial a shipped template uses: the site file is named', () => {
    const siteTop = templatesDir({ 'a.hbs': 'site {{nosuch}}\n' });
    expect(errorOf(() => createRenderer({ shippedDir: shipped(), siteDir: siteTop }).render('a', { x: 1 })).message).toMatch(
      new RegExp(`^site template ${join(siteTop, 'a.hbs')}: "nosuch" not defined.*: fix it, or remove it to use the shipped one$`),
    );
    const sitePartial = templatesDir({ 'partials/p.hbs': 'site partial {{missing}}' });
    const error = errorOf(() => createRenderer({ shippedDir: shipped(), siteDir: sitePartial }).render('a', { x: 1 }));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(new RegExp(`^site template ${join(sitePartial, 'partials/p.hbs')}: "missing" not defined`));
  });

  it('through si: a broken site rsyncd.conf template gives one line naming the site file, exit 2', async () => {
    const home = mkdtempSync(join(tmpdir(), 'si-site-home-'));
    dirs.push(home);
    makeImage(home, 'compute');
    await siOk(home, ['rsyncd', '--dry-run']);
    const site = join(home, 'templates/rsyncd/rsyncd.conf.hbs');
    for (const make of [() => mkdirSync(site, { recursive: true }), () => writeFileSync(site, '{{#each images}}\n'), () => writeFileSync(site, '{{no.such.field}}\n')]) {
      rmSync(site, { recursive: true, force: true });
      mkdirSync(join(site, '..'), { recursive: true });
      make();
      const result = await si(home, ['rsyncd', '--dry-run']);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^si: site template ${site}[: ]`))]);
    }
  });
});
