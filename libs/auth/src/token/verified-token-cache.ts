import type { CallerIdentity } from './service-token-claims';

interface Entry {
  identity: CallerIdentity;
  audience: string;
  nbf: number;
  exp: number;
  keysVersion: number;
}

/**
 * Remembers tokens that passed full verification, so a caller's reused token costs one signature check, not one
 * per call. A hit is only taken for the same audience and key set, and within the token's validity (with the
 * same tolerance); anything else goes through full verification again. Bounded: the oldest entries go first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** The last token found: most calls carry the same caller's token again, found by one comparison, no hashing. */
  private last?: { token: string; entry: Entry };

  constructor(
    private readonly toleranceSeconds: number,
    private readonly maxEntries = 1024,
  ) {}

  get(token: string, audience: string, keysVersion: number, nowMs: number): CallerIdentity | undefined {
    const last = this.last;
    const entry = last !== undefined && last.token === token ? last.entry : this.entries.get(token);
    if (!entry) return undefined;
    const now = Math.floor(nowMs / 1000);
    const valid = now < entry.exp + this.toleranceSeconds && now + this.toleranceSeconds >= entry.nbf;
    if (entry.keysVersion !== keysVersion || !valid) {
      this.entries.delete(token);
      if (this.last?.entry === entry) this.last = undefined;
      return undefined;
    }
    if (entry.audience !== audience) return undefined;
    if (last?.entry !== entry) this.last = { token, entry };
    return entry.identity;
  }

  set(token: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, entry);
  }
}
