/**
 * Counts the events one subscriber instance may have in hand. `take` waits until at least one permit is free and
 * takes up to `max` (`tryTake` one, without waiting); `give` returns them. After `close`, `take` resolves 0 at once (and wakes those waiting).
 */
export class Permits {
  private free: number;
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    this.free = capacity;
  }

  get available(): number {
    return this.free;
  }

  /** Takes one permit if one is free right now (no wait). */
  tryTake(): boolean {
    if (this.closed || this.free === 0) return false;
    this.free--;
    return true;
  }

  async take(max: number): Promise<number> {
    while (!this.closed && this.free === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.closed) return 0;
    const taken = Math.min(this.free, Math.max(1, max));
    this.free -= taken;
    return taken;
  }

  give(count: number): void {
    if (count <= 0) return;
    this.free = Math.min(this.capacity, this.free + count);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
