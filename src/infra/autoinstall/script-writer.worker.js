// @ts-check
// The writing half of ScriptFiles (see script-writer.ts), on a thread of its own. Creating ten thousand
// small files keeps the kernel as busy as rendering them keeps node; on a second thread the two overlap.
// Plain JavaScript, so that this one file runs both from the sources (tests) and from dist/.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ dir: string }} */
const { dir } = workerData;
/** @type {import('./script-writer.js').WriteResult[]} */
const results = [];
/** @type {string | undefined} */
let failure;

/** @param {string} path @param {number} size @param {string} content */
function fileHas(path, size, content) {
  try {
    return statSync(path).size === size && readFileSync(path, 'utf8') === content;
  } catch {
    return false;
  }
}

/** Writes the content (new file, then rename) unless the file already holds it. @param {import('./script-writer.js').WriteRequest} file */
function write(file) {
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  const size = Buffer.byteLength(file.content);
  const path = join(dir, file.name);
  const same = file.previous?.sha256 === sha256 && file.previous.size === size && fileHas(path, size, file.content);
  if (!same) {
    const temp = join(dir, `.${file.name}.si-new`);
    writeFileSync(temp, file.content, { mode: file.mode });
    renameSync(temp, path);
  }
  results.push({ name: file.name, sha256, size, written: !same });
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
