import { describe, expect, it } from 'vitest';
import { planRsyncdUnit, quoteSystemd } from '../../../src/core/rsyncd/index.js';
import { createRenderer } from '../../../src/infra/templates.js';

const renderer = createRenderer();

describe('planRsyncdUnit', () => {
  it('runs si rsyncd in the foreground with SI_HOME, address and port', async () => {
    const context = planRsyncdUnit({ siArgv: ['/usr/bin/node', '/opt/sisuite/bin/si'], home: '/var/lib/sisuite', address: '10.0.0.1', port: 873 });
    expect(context.execStart).toBe('/usr/bin/node /opt/sisuite/bin/si rsyncd --foreground --address 10.0.0.1 --port 873');
    await expect(renderer.render('rsyncd/sisuite-rsyncd.service', context)).toMatchFileSnapshot('golden/sisuite-rsyncd.service');
  });

  it('quotes blanks and escapes systemd specifiers and variables', () => {
    expect(quoteSystemd('/srv/my images')).toBe('"/srv/my images"');
    expect(quoteSystemd('/srv/100%')).toBe('/srv/100%%');
    expect(quoteSystemd('/srv/$HOME')).toBe('/srv/$$HOME');
    expect(quoteSystemd('/srv/a"b')).toBe('"/srv/a\\"b"');
    const context = planRsyncdUnit({ siArgv: ['/usr/local/bin/si'], home: '/srv/si home' });
    expect(context.environment).toBe('"SI_HOME=/srv/si home"');
    expect(context.execStart).toBe('/usr/local/bin/si rsyncd --foreground');
  });

  it('refuses a relative si path', () => {
    expect(() => planRsyncdUnit({ siArgv: ['si'], home: '/var/lib/sisuite' })).toThrow(/absolute path/);
  });
});
