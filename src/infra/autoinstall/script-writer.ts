import { Worker } from 'node:worker_threads';
import { InternalError, UserError } from '../../core/errors.js';

/** One new file for the writer thread, in the directory of a generation being built. */
export interface WriteRequest {
  name: string;
  content: string | Uint8Array;
  mode: number;
}

/** What the manifest records of a written file. */
export interface WriteResult {
  name: string;
  sha256: string;
  size: number;
}

export type ToWriter = { files: WriteRequest[] } | { end: true };
type FromWriter = { results: WriteResult[] } | { failure: string };

/** Files per message: few enough that writing starts early, enough that messages cost little. */
const BATCH = 64;
const WORKER_SOURCE = new URL('./script-writer.worker.js', import.meta.url);

/**
 * Writes the files of one directory, in order, on a worker thread started with the first file, while
 * the caller goes on rendering. finish() waits for the last write and reports each file's digest; close()
 * stops the thread (after a failure on the caller's side, unsent files are dropped).
 */
export class ScriptWriter {
  private thread: { worker: Worker; reply: Promise<FromWriter> } | undefined;
  private batch: WriteRequest[] = [];

  constructor(private readonly dir: string) {}

  write(request: WriteRequest): void {
    this.batch.push(request);
    if (this.batch.length >= BATCH) this.send();
  }

  async finish(): Promise<WriteResult[]> {
    if (this.thread === undefined && this.batch.length === 0) return [];
    this.send();
    const { worker, reply } = this.thread as NonNullable<ScriptWriter['thread']>;
    worker.ref();
    worker.postMessage({ end: true } satisfies ToWriter);
    try {
      const answer = await reply;
      if ('failure' in answer) throw new UserError(`${answer.failure}; check the permissions and free space of ${this.dir}`);
      return answer.results;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    this.batch = [];
    if (thread) await thread.worker.terminate();
  }

  private send(): void {
    if (this.batch.length === 0) return;
    this.thread ??= startWriter(this.dir);
    this.thread.worker.postMessage({ files: this.batch } satisfies ToWriter);
    this.batch = [];
  }
}

function startWriter(dir: string): { worker: Worker; reply: Promise<FromWriter> } {
  const worker = new Worker(WORKER_SOURCE, { workerData: { dir } });
  // Until finish() waits for it, the thread must not keep a failing process alive.
  worker.unref();
  const reply = new Promise<FromWriter>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new InternalError(`the script writer thread stopped (exit code ${code}) before it answered`)));
  });
  // A thread that fails before finish() waits is reported there, not as an unhandled rejection.
  reply.catch(() => undefined);
  return { worker, reply };
}
