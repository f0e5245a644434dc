import fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { parseVersionNumber } from '../../core/images/version-plans.js';
import { parseImageTestOptions } from '../../core/imagetest/options.js';
import { reportJson, reportText, stageLine } from '../../core/imagetest/report.js';
import { runImageTest } from '../../infra/imagetest/run-image-test.js';
import { onStopSignals } from '../../infra/process/stop-signals.js';
import { resolveHome } from '../context.js';
import { note, printJson, printLine } from '../output.js';

interface ImageTestCliOptions {
  imageVersion?: string;
  firmware?: string;
  layout?: string;
  accel?: string;
  timeout?: string;
  keepOnFailure?: boolean;
  json?: boolean;
}

/** si image test NAME: install the image into a throwaway VM through the real netboot path; exit 0 pass, 1 fail. */
export async function imageTestCommand(name: string, options: ImageTestCliOptions, command: Command): Promise<void> {
  const parsed = parseImageTestOptions(options);
  const version = options.imageVersion === undefined ? undefined : parseVersionNumber(options.imageVersion);
  const { signal, dispose } = onStopSignals();
  try {
    const report = await runImageTest({
      home: resolveHome(command),
      image: name,
      version,
      layoutFile: options.layout,
      ...parsed,
      keepOnFailure: Boolean(options.keepOnFailure),
      // The daemons and the scripts are this si's own commands, run as a user runs them.
      siArgv: [process.execPath, fs.realpathSync(process.argv[1] ?? 'si')],
      signal,
      onStage: (stage) => note(stageLine(stage)),
      onNote: (line) => note(line),
    });
    if (options.json) printJson(reportJson(report));
    else printLine(reportText(report));
    if (report.result === 'fail') throw new UserError(`image ${report.image} v${report.version} failed its test at stage ${report.failedStage}`, 1);
  } finally {
    dispose();
  }
}
