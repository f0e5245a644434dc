import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rsyncdPaths } from '../../../src/core/rsyncd/index.js';
import { writeRsyncdConf } from '../../../src/infra/rsyncd/index.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { makeHome } from './rsyncd-fixtures.js';
import type { HomePaths } from '../../../src/core/home.js';

describe('writeRsyncdConf', () => {
  let dir: string;
  let paths: HomePaths;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'si-rsyncd-conf-'));
    paths = makeHome(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (clients: { ip: string; netmask: string }[], images: string[]) =>
    writeRsyncdConf({ paths, renderer: createRenderer({ siteDir: paths.templates }), clients, images });

  it('writes the file and the module directories, then rewrites it only when images or clients change', () => {
    const conf = rsyncdPaths(paths).conf;
    expect(write([], ['base'])).toBe(true);
    for (const dir of [paths.scripts, paths.overrides, paths.boot, path.join(paths.home, 'log')]) expect(fs.statSync(dir).isDirectory()).toBe(true);
    // The reports' directories are private: a failure report holds the install log's tail.
    for (const dir of ['reports', 'reports/incoming', 'reports/rejected']) expect(fs.statSync(path.join(paths.home, dir)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(conf, 'utf8')).toContain(`[reports]\n  path = ${paths.home}/reports/incoming\n  comment = sisuite install reports (write only)\n  uid = ${process.getuid?.()}\n`);
    expect(fs.readFileSync(conf, 'utf8')).toMatch(/^hosts allow = 127\.0\.0\.1 ::1$/m);
    const first = fs.readFileSync(conf, 'utf8');
    const held = fs.openSync(conf, 'r');

    expect(write([], ['base'])).toBe(false);
    expect(fs.statSync(conf).ino).toBe(fs.fstatSync(held).ino);

    expect(write([{ ip: '10.4.0.17', netmask: '255.255.255.0' }], ['base'])).toBe(true);
    expect(fs.readFileSync(conf, 'utf8')).toMatch(/^hosts allow = 127\.0\.0\.1 ::1 10\.4\.0\.0\/24$/m);
    expect(write([{ ip: '10.4.0.17', netmask: '255.255.255.0' }], ['base', 'gpu'])).toBe(true);
    expect(fs.readFileSync(conf, 'utf8')).toContain(`[gpu]\n  path = ${paths.images}/gpu\n`);
    // Replaced by rename: a reader holding the old file keeps reading it whole.
    expect(fs.statSync(conf).ino).not.toBe(fs.fstatSync(held).ino);
    expect(fs.readFileSync(held, 'utf8')).toBe(first);
    fs.closeSync(held);
    expect(fs.readdirSync(paths.home).filter((name) => name.includes('.new-'))).toEqual([]);
  });

  it('uses the site copy of the template under $SI_HOME/templates', () => {
    fs.mkdirSync(path.join(paths.templates, 'rsyncd'), { recursive: true });
    fs.writeFileSync(path.join(paths.templates, 'rsyncd/rsyncd.conf.hbs'), 'motd file = /etc/motd\n{{#each modules}}[{{name}}]\n{{/each}}');
    write([], ['base']);
    expect(fs.readFileSync(rsyncdPaths(paths).conf, 'utf8')).toBe('motd file = /etc/motd\n[base]\n[scripts]\n[overrides]\n[boot]\n[reports]\n');
  });

  it('leaves the old file when the registry holds an image named like a fixed module', () => {
    write([], ['base']);
    const before = fs.readFileSync(rsyncdPaths(paths).conf, 'utf8');
    expect(() => write([], ['base', 'scripts'])).toThrow(/si image mv scripts NEWNAME/);
    expect(fs.readFileSync(rsyncdPaths(paths).conf, 'utf8')).toBe(before);
  });
});
