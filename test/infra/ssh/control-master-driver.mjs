// Runs inside a test's network namespace (ip netns exec), against the built code: one ControlMaster to
// the golden client, what goes through it, and what is left after close(). Prints a JSON report.
import fs from 'node:fs';
import path from 'node:path';
import { ControlMaster } from '../../../dist/infra/ssh/control-master.js';
import { opensshOptions } from '../../../dist/core/ssh/openssh-options.js';
import { buildRsyncArgv } from '../../../dist/infra/rsync/argv.js';
import { captureEarly, run } from '../../../dist/infra/run.js';

const { user, host, transport, otherKey, wrongKnownHosts, copyTo } = JSON.parse(process.argv[2]);
const report = {};

try {
  await ControlMaster.open({ user, host }, { ...transport, keyPath: otherKey });
} catch (error) {
  report.refused = { name: error.name, message: error.message };
}

const master = await ControlMaster.open({ user, host }, transport);
const socketDir = path.dirname(master.transport.controlPath);
report.socketMode = (fs.statSync(socketDir).mode & 0o777).toString(8);
report.hostname = await master.readFile('/etc/hostname');
report.missing = await master.readFile('/no/such/file');
report.words = (await master.exec(['printf', '%s|', 'a b', "it's", '$HOME'])).stdout;
// known_hosts no longer matches: a connection of its own is refused, a session through the master is not.
fs.writeFileSync(transport.knownHostsFile, wrongKnownHosts);
report.directExit = (await captureEarly(['ssh', ...opensshOptions(transport), '-l', user, '--', host, 'true'])).exitCode;
report.throughMasterExit = (await master.exec(['true'])).exitCode;
await run(buildRsyncArgv({ source: `${user}@${host}:/etc/hostname`, destination: copyTo, preserveAll: true, ssh: master.transport }));
await Promise.all([master.close(), master.close()]);
await master.close();
report.socketDirLeft = fs.existsSync(socketDir);
process.stdout.write(`${JSON.stringify(report)}\n`);
