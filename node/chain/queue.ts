// A serial queue: jobs run one at a time in arrival order; each caller gets its own result or
// error. The chain imports every block through one of these, so two imports never interleave.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly maxPending = Infinity) {}

  get length(): number {
    return this.pending;
  }

  /** Runs `job` after every job pushed before it. Throws QueueFullError when over the cap. */
  push<T>(job: () => Promise<T>): Promise<T> {
    if (this.pending >= this.maxPending) return Promise.reject(new QueueFullError(this.maxPending));
    this.pending++;
    const run = this.tail.then(job, job);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.pending--;
    });
  }

  /** Resolves when every job pushed so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`import queue full (${limit} pending)`);
  }
}
