/** What the gateway answered to a request with an Idempotency-Key, replayed to every later request with that key. */
export interface StoredResponse {
  statusCode: number;
  /** Response headers to replay (lower-case names), e.g. `location`. */
  headers: Record<string, string>;
  body: unknown;
}

/**
 * One key's record: the fingerprint (SHA-256 of the canonical JSON body) of the request that claimed it, the
 * claim's random token (so only the claiming request completes or releases it), and, once it finished, the
 * response. Without `response` the request is still in flight.
 */
export interface IdempotencyRecord {
  fingerprint: string;
  claim: string;
  response?: StoredResponse;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/**
 * Where the gateway keeps idempotency keys. Every operation is atomic on its own, with no read-modify-write
 * across calls, so several gateway instances can share one store (Redis) without locks or WATCH.
 */
export interface IdempotencyStore {
  /** Which implementation, for the start-up log. */
  readonly kind: 'memory' | 'redis';
  /**
   * Claims `key` as in flight for `lockMs` if nobody holds it (`SET NX PX`); otherwise returns the record there.
   * The lock expires by itself, so a gateway that dies mid-request does not block the key for the whole TTL.
   */
  claim(key: string, record: IdempotencyRecord, lockMs: number): Promise<ClaimResult>;
  /** Replaces this claim's in-flight record with the final one, kept `ttlMs`. Does nothing if another claim holds the key. */
  complete(key: string, claim: string, record: IdempotencyRecord, ttlMs: number): Promise<void>;
  /** Deletes the key if this claim still holds it in flight, so a retry can run the request again. */
  release(key: string, claim: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  record: IdempotencyRecord;
  expiresAt: number;
}

/** How often, at most, the memory store drops expired entries (on the next write). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The store of a single gateway instance: a Map with expiry times, no timers. Another instance does not see its
 * keys, so with several gateways use the Redis store (IDEMPOTENCY_STORE=redis).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private nextSweep = Date.now() + SWEEP_INTERVAL_MS;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, record: IdempotencyRecord, lockMs: number): Promise<ClaimResult> {
    this.sweep();
    const existing = this.live(key);
    if (existing) return { claimed: false, existing: existing.record };
    this.entries.set(key, { record, expiresAt: this.now() + lockMs });
    return { claimed: true };
  }

  async complete(key: string, claim: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    const existing = this.live(key);
    if (existing && (existing.record.claim !== claim || existing.record.response)) return;
    this.entries.set(key, { record, expiresAt: this.now() + ttlMs });
  }

  async release(key: string, claim: string): Promise<void> {
    const existing = this.live(key);
    if (existing && existing.record.claim === claim && !existing.record.response) this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_INTERVAL_MS;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
