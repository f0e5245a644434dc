/** The last `limit` bytes of a stream, never more in memory (a program may write MBs of stderr). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) return;
    this.chunks.push(chunk.length > this.limit ? Buffer.from(chunk.subarray(chunk.length - this.limit)) : chunk);
    this.size += Math.min(chunk.length, this.limit);
    // Drop whole chunks from the front while the rest still holds `limit` bytes.
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.limit) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  /** Bytes kept in memory now (for tests: the limit plus at most one chunk). */
  bytesHeld(): number {
    return this.size;
  }

  /** The tail as text; a character cut in half at the front is dropped. */
  text(): string {
    const all = Buffer.concat(this.chunks, this.size);
    const tail = all.subarray(Math.max(0, all.length - this.limit));
    return tail.toString('utf8').replace(/^\uFFFD+/, '');
  }
}

/** Default bound for stderr kept in memory per process: enough for any message, small for any log spew. */
export const STDERR_TAIL_BYTES = 64 * 1024;
