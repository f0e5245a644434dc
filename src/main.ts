import { watchOutput } from './cli/output.js';
import { runCli } from './cli/program.js';

// A reader that goes away early (si client list | head -1) ends the output quietly; see watchOutput.
const output = watchOutput();

// The only place that exits.
process.exitCode = await runCli(process.argv);
// A write error shows a tick after the write that met it, so the verdict waits until everything has run.
process.once('beforeExit', () => {
  const failure = output.failure();
  if (failure !== null && process.exitCode === 0) process.exitCode = failure;
});
