// @ts-check
// The writing half of ScriptFiles (see script-writer.ts), on a thread of its own. Creating ten thousand
// small files keeps the kernel as busy as rendering them keeps node; on a second thread the two overlap.
// Plain JavaScript, so that this one file runs both from the sources (tests) and from dist/.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ dir: string }} */
const { dir } = workerData;
/** @type {import('./script-writer.js').WriteResult[]} */
const results = [];
/** @type {string | undefined} */
let failure;

/**
 * Creates the file in the generation being built: nobody reads that directory until it is complete and
 * switched to, so no temporary name is needed. @param {import('./script-writer.js').WriteRequest} file
 */
function write(file) {
  writeFileSync(join(dir, file.name), file.content, { mode: file.mode, flag: 'wx' });
  results.push({ name: file.name, sha256: createHash('sha256').update(file.content).digest('hex'), size: Buffer.byteLength(file.content) });
}

parentPort?.on('message', (/** @type {import('./script-writer.js').ToWriter} */ message) => {
  if ('files' in message) {
    // After a failure the rest is skipped: the manifest is not saved, so the next render writes them.
    for (const file of message.files) {
      if (failure !== undefined) break;
      try {
        write(file);
      } catch (error) {
        failure = `cannot write ${join(dir, file.name)}: ${/** @type {Error} */ (error).message}`;
      }
    }
    return;
  }
  parentPort?.postMessage(failure === undefined ? { results } : { failure });
  parentPort?.close();
});
