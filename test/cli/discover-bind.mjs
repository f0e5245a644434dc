// One boot server's worth of unknown MACs asking at once: binds each MAC through the built bindUnknownMac.
// argv: HOME TAG COUNT. Writes HOME/ready-TAG, waits (bounded) for HOME/go, then prints JSON: when its
// binding started and ended (ms), and its [mac, host|null] pairs.
import { existsSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../../dist/infra/db/database.js';
import { bindUnknownMac } from '../../dist/infra/discovery/index.js';

const [home, tag, count] = process.argv.slice(2);
const db = openDatabase(`${home}/sisuite.db`, { create: false, busyTimeoutMs: 30_000 });
writeFileSync(`${home}/ready-${tag}`, '');
// Spins (bounded, 60 s) rather than sleeps: both binders must start within microseconds of each other.
const deadline = Date.now() + 60_000;
while (!existsSync(`${home}/go`) && Date.now() < deadline);
const startedAt = Date.now();
const answers = [];
for (let i = 0; i < Number(count); i++) {
  const mac = `52:54:00:${tag}:00:${i.toString(16).padStart(2, '0')}`;
  answers.push([mac, bindUnknownMac(db, mac, `10.9.0.${i + 1}`)?.host ?? null]);
}
db.close();
process.stdout.write(JSON.stringify({ startedAt, endedAt: Date.now(), answers }));
