import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { createRenderer, render } from '../../../src/infra/templates.js';
import { removeDir, tempDir } from './trees.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function templatesDir(files: Record<string, string>): string {
  const dir = tempDir('si-tpl-');
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('the template renderer', () => {
  it('renders shipped templates with partials, without HTML escaping', () => {
    expect(render('configure/hostname/hostname', { host: { hostname: 'node001' } })).toBe('node001\n');
    const hosts = render('configure/hostname/hosts', { host: { hostname: 'a&b', address: null, names: 'a<b>' } });
    expect(hosts).toContain('# Written by sisuite configure for a&b;');
    expect(hosts).toContain('127.0.1.1\ta<b>\n');
  });

  it('is strict: a missing field is a one-line error naming the template', () => {
    expect(() => render('configure/hostname/hostname', { host: {} })).toThrow(UserError);
    expect(() => render('configure/hostname/hostname', { host: {} })).toThrow(/^template configure\/hostname\/hostname\.hbs: "hostname" not defined/);
  });

  it('prefers a site copy of a template and of a partial, and caches compiled templates', () => {
    const shipped = templatesDir({ 'a/b.hbs': 'shipped {{x}} {{> p/q}}\n', 'partials/p/q.hbs': 'shipped-partial', 'c.hbs': '{{x}}' });
    const site = templatesDir({ 'a/b.hbs': 'site {{x}} {{> p/q}}\n', 'partials/p/q.hbs': 'site-partial' });
    expect(createRenderer({ shippedDir: shipped }).render('a/b', { x: 1 })).toBe('shipped 1 shipped-partial\n');
    const renderer = createRenderer({ shippedDir: shipped, siteDir: site });
    expect(renderer.render('a/b', { x: 2 })).toBe('site 2 site-partial\n');
    expect(renderer.render('c', { x: 3 })).toBe('3');
    writeFileSync(join(site, 'a/b.hbs'), 'changed');
    expect(renderer.render('a/b', { x: 4 })).toBe('site 4 site-partial\n');
  });

  it('refuses unknown and escaping template names', () => {
    expect(() => render('configure/nope', {})).toThrow(/^template configure\/nope\.hbs not found/);
    expect(() => render('../etc/passwd', {})).toThrow(/^invalid template name/);
  });

  it('renders inline templates with the helpers', () => {
    expect(createRenderer().renderInline('{{join dns ", "}} {{inc n}}', { dns: ['a', 'b'], n: 1 })).toBe('a, b 2');
  });
});
