/** Counts the calls a server is running, so `close` can wait for them to finish (bounded). */
export class InFlight {
  private count = 0;
  private drained?: () => void;

  get size(): number {
    return this.count;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.drained?.();
    }
  }

  /** Resolves when no call is running, or after `timeoutMs`. */
  drain(timeoutMs = 10_000): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
