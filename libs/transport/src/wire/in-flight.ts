/** Counts the calls a server is running, so `close` can wait for them to finish (bounded). */
export class InFlight {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  get size(): number {
    return this.count;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  /** Counts a call in (pair with `leave`, for a hot path that must not wrap each call in a promise). */
  enter(): void {
    this.count++;
  }

  leave(): void {
    if (--this.count === 0) {
      for (const wake of this.waiters) wake();
    }
  }

  /** Resolves when no call is running, or after `timeoutMs`. Several callers may wait at once. */
  drain(timeoutMs = 10_000): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      timer.unref();
      this.waiters.add(wake);
    });
  }
}
