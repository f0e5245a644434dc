import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRsyncdUnit } from '../../../src/infra/rsyncd/index.js';
import { capture } from '../../../src/infra/run.js';
import { createRenderer } from '../../../src/infra/templates.js';
import { PROJECT } from '../../support/si.js';

const hasSystemdAnalyze = (await capture(['systemd-analyze', '--version'])).exitCode === 0;

describe('renderRsyncdUnit', () => {
  it.skipIf(!hasSystemdAnalyze)('renders a unit that systemd-analyze verify accepts, also for a home with blanks and %', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'si-rsyncd-unit-'));
    try {
      const unit = renderRsyncdUnit({
        renderer: createRenderer(),
        siArgv: [process.execPath, path.join(PROJECT, 'bin/si')],
        home: '/srv/site images/100%',
        port: 8873,
      });
      expect(unit).toContain('Environment="SI_HOME=/srv/site images/100%%"\n');
      const file = path.join(dir, 'sisuite-rsyncd.service');
      fs.writeFileSync(file, unit);
      const verify = await capture(['systemd-analyze', 'verify', file]);
      expect(verify.stderr).toBe('');
      expect(verify.exitCode).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
