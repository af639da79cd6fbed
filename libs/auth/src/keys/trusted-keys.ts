import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { parseJwks } from './jwks';
import type { JwksSource } from './jwks-source';
import type { VerificationKey, VerificationKeys } from './verification-keys';

export interface TrustedKeysOptions {
  /** Period of the background refresh. */
  refreshMs: number;
  /** Least time between two refreshes asked for by an unknown key id (a flood of made-up ids costs one fetch). */
  unknownKidRefreshMs: number;
}

/**
 * The RS256 public keys of a JWKS (file or URL), by key id. Loaded at start (a file must load; a URL may come
 * later), read again periodically and when a token names an unknown key id (at most once per
 * `unknownKidRefreshMs`; concurrent refreshes share one read). A failed read keeps the last good set.
 * Rotation: publish the new key in the JWKS first, then sign with it; drop the old key after the token lifetime.
 */
export class TrustedKeys implements VerificationKeys, OnModuleInit, OnApplicationShutdown {
  readonly algorithm = 'RS256';
  private keys: ReadonlyMap<string, VerificationKey> = new Map();
  private loaded = false;
  private changes = 0;
  private lastUnknownKidRefresh = -Infinity;
  private refreshing?: Promise<boolean>;
  private timer?: NodeJS.Timeout;
  private readonly log = new Logger('service-auth');

  constructor(
    private readonly source: JwksSource,
    private readonly options: TrustedKeysOptions,
  ) {}

  get ready(): boolean {
    return this.loaded;
  }

  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Initial load and the periodic refresh; throws when a source required at start cannot be read. */
  async onModuleInit(): Promise<void> {
    if (!(await this.refresh()) && this.source.requiredAtStart) {
      throw new Error(`service auth: cannot load the trusted keys (SERVICE_JWKS_FILE) from ${this.source.description}`);
    }
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async find(kid: string | undefined): Promise<VerificationKey | undefined> {
    if (kid === undefined) return undefined;
    const known = this.keys.get(kid);
    if (known) return known;
    const now = Date.now();
    if (!this.refreshing && now - this.lastUnknownKidRefresh < this.options.unknownKidRefreshMs) return undefined;
    if (!this.refreshing) this.lastUnknownKidRefresh = now;
    await this.refresh();
    return this.keys.get(kid);
  }

  /** Reads the source again; resolves true when a key set is in place from this read. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<boolean> {
    try {
      const keys = parseJwks(await this.source.load(), this.source.description);
      if (!sameKeys(this.keys, keys)) {
        this.keys = keys;
        this.changes++;
        this.log.log(`trusting ${keys.size} service key(s) from ${this.source.description}: ${[...keys.keys()].join(', ')}`);
      }
      this.loaded = true;
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.warn(`cannot read the trusted service keys from ${this.source.description}: ${reason}` +
        (this.loaded ? ` (keeping the ${this.keys.size} known)` : ''));
      return false;
    }
  }
}

function sameKeys(a: ReadonlyMap<string, VerificationKey>, b: ReadonlyMap<string, VerificationKey>): boolean {
  return a.size === b.size && [...b].every(([kid, key]) => a.get(kid)?.material === key.material);
}
