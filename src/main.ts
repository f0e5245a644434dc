import { runCli } from './cli/program.js';

// The only place that exits.
process.exitCode = await runCli(process.argv);
