export interface OutlierOptions {
  /** Consecutive failed calls that eject an instance. */
  consecutiveFailures: number;
  /** First ejection's length; each further one doubles it. */
  baseEjectionMs: number;
  maxEjectionMs: number;
}

interface Health {
  consecutive: number;
  /** Ejections so far; forgotten after a healthy spell of `maxEjectionMs`. */
  ejections: number;
  ejectedUntil: number;
  lastEjectedAt: number;
}

/**
 * Outlier ejection (Envoy's consecutive-failures detector): an instance whose last `consecutiveFailures` calls all
 * failed for a reason of its own (UNAVAILABLE, DEADLINE_EXCEEDED) is left out of picking for a while, twice as long
 * at each new ejection, up to `maxEjectionMs`. It never ejects every instance: `filter` returns all of them when
 * none would be left, so a service whose instances all fail still gets calls and can be seen to recover.
 */
export class OutlierDetector {
  private readonly health = new Map<string, Health>();

  constructor(
    private readonly options: OutlierOptions,
    private readonly now: () => number = Date.now,
  ) {}

  success(key: string): void {
    const health = this.health.get(key);
    if (health) health.consecutive = 0;
  }

  /** Counts a failure; true when it ejected the instance. */
  failure(key: string): boolean {
    const health = this.entry(key);
    health.consecutive++;
    const now = this.now();
    if (health.consecutive < this.options.consecutiveFailures || health.ejectedUntil > now) return false;
    if (now - health.lastEjectedAt > this.options.maxEjectionMs + (health.ejectedUntil - health.lastEjectedAt)) health.ejections = 0;
    const length = Math.min(this.options.baseEjectionMs * 2 ** health.ejections, this.options.maxEjectionMs);
    health.ejections++;
    health.lastEjectedAt = now;
    health.ejectedUntil = now + length;
    health.consecutive = 0;
    return true;
  }

  isEjected(key: string): boolean {
    return (this.health.get(key)?.ejectedUntil ?? 0) > this.now();
  }

  /** The candidates not ejected; all of them when every one is. */
  filter<T>(candidates: readonly T[], keyOf: (candidate: T) => string): readonly T[] {
    const healthy = candidates.filter((candidate) => !this.isEjected(keyOf(candidate)));
    return healthy.length > 0 ? healthy : candidates;
  }

  forget(key: string): void {
    this.health.delete(key);
  }

  private entry(key: string): Health {
    let health = this.health.get(key);
    if (!health) {
      health = { consecutive: 0, ejections: 0, ejectedUntil: 0, lastEjectedAt: 0 };
      this.health.set(key, health);
    }
    return health;
  }
}
