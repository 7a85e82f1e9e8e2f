// A serial queue: jobs run one at a time in arrival order; each caller gets its own result or
// error. The chain imports every block through one of these, so two imports never interleave.
// Bounded in count and in bytes (the encoded blocks waiting), so a flood of large blocks is
// refused at the door instead of held in memory.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private pendingBytes = 0;

  constructor(
    private readonly maxPending = Infinity,
    private readonly maxBytes = Infinity,
  ) {}

  get length(): number {
    return this.pending;
  }

  /** Bytes held by the jobs waiting or running. */
  get bytes(): number {
    return this.pendingBytes;
  }

  /** Runs `job` after every job pushed before it. Throws QueueFullError when over a cap. */
  push<T>(job: () => Promise<T>, bytes = 0): Promise<T> {
    if (this.pending >= this.maxPending) return Promise.reject(new QueueFullError(this.maxPending, 'jobs'));
    if (this.pending > 0 && this.pendingBytes + bytes > this.maxBytes) return Promise.reject(new QueueFullError(this.maxBytes, 'bytes'));
    this.pending++;
    this.pendingBytes += bytes;
    const run = this.tail.then(job, job);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.pending--;
      this.pendingBytes -= bytes;
    });
  }

  /** Resolves when every job pushed so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

export class QueueFullError extends Error {
  constructor(
    readonly limit: number,
    readonly unit: 'jobs' | 'bytes' = 'jobs',
  ) {
    super(`import queue full (${limit} ${unit} pending)`);
  }
}
