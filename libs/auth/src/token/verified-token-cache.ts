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
 * per call or event. A hit is only taken for the same audience and key set, and when the token was valid at the
 * time asked for (now for a call, when the bus stored it for an event; with the same tolerance); anything else goes
 * through full verification again. An entry leaves once its token has expired or the keys changed. Bounded: the
 * oldest entries go first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** The last token found: most calls carry the same caller's token again, found by one comparison, no hashing. */
  private last?: { token: string; entry: Entry };

  constructor(
    private readonly toleranceSeconds: number,
    private readonly maxEntries = 1024,
  ) {}

  /** The identity of `token` if it was verified for `audience` with these keys and was valid at `atMs`. */
  get(token: string, audience: string, keysVersion: number, atMs: number, nowMs = atMs): CallerIdentity | undefined {
    const last = this.last;
    const entry = last !== undefined && last.token === token ? last.entry : this.entries.get(token);
    if (!entry) return undefined;
    if (entry.keysVersion !== keysVersion || Math.floor(nowMs / 1000) >= entry.exp + this.toleranceSeconds) {
      this.entries.delete(token);
      if (this.last?.entry === entry) this.last = undefined;
      return undefined;
    }
    const at = Math.floor(atMs / 1000);
    if (entry.audience !== audience || at >= entry.exp + this.toleranceSeconds || at + this.toleranceSeconds < entry.nbf) return undefined;
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
