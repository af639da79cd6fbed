import { Logger } from '@nestjs/common';
import { describeUrl, fetchJson } from './fetch-json';
import type { OidcConfig } from './oidc-config';
import { discoverJwksUrl } from './oidc-discovery';
import { OidcKey, parseOidcJwks } from './oidc-jwks';

/** No key set could be loaded from the provider yet: tokens cannot be checked now (503, not 401). */
export class OidcKeysUnavailable extends Error {
  constructor() {
    super("cannot verify the access token now: the identity provider's keys are unavailable");
    this.name = 'OidcKeysUnavailable';
  }
}

export type OidcKeySetOptions = Pick<OidcConfig, 'issuer' | 'jwksUrl' | 'httpsOnly' | 'minRefetchMs' | 'maxKeyAgeMs'>;

/**
 * The provider's signing keys, by key id, fetched on first use from the JWKS URL (configured, or discovered once
 * from the issuer). Tokens cause a fetch (an unknown key id, keys not loaded yet) at most once per `minRefetchMs`,
 * so a flood of made-up key ids costs one fetch; concurrent fetches share one request. Keys older than
 * `maxKeyAgeMs` are fetched again in the background and used meanwhile. A failed fetch keeps the last good set.
 * Rotation: the provider publishes its new key before signing with it; a token naming it triggers the fetch.
 */
export class OidcKeySet {
  private keys?: ReadonlyMap<string, OidcKey>;
  private loadedAt = -Infinity;
  private lastFetch = -Infinity;
  private fetching?: Promise<void>;
  private jwksUrl?: string;
  private readonly log = new Logger('OIDC');

  constructor(
    private readonly options: OidcKeySetOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.jwksUrl = options.jwksUrl;
  }

  /** The key named `kid`, or undefined when the provider does not publish it; OidcKeysUnavailable before any load. */
  async find(kid: string): Promise<OidcKey | undefined> {
    const known = this.keys?.get(kid);
    if (known) {
      if (this.now() - this.loadedAt > this.options.maxKeyAgeMs) void this.refetch();
      return known;
    }
    await this.refetch();
    if (!this.keys) throw new OidcKeysUnavailable();
    return this.keys.get(kid);
  }

  /** Fetches the JWKS unless a fetch ran less than `minRefetchMs` ago; never rejects. */
  refetch(): Promise<void> {
    if (this.fetching) return this.fetching;
    if (this.now() - this.lastFetch < this.options.minRefetchMs) return Promise.resolve();
    this.lastFetch = this.now();
    this.fetching = this.load().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async load(): Promise<void> {
    try {
      this.jwksUrl ??= await discoverJwksUrl(this.options.issuer, this.options.httpsOnly);
      const source = describeUrl(this.jwksUrl);
      const keys = parseOidcJwks(await fetchJson(this.jwksUrl, this.options.httpsOnly), source);
      if (!sameKeys(this.keys, keys)) {
        this.log.log(`trusting ${keys.size} key(s) of ${this.options.issuer} from ${source}: ${[...keys.keys()].join(', ')}`);
      }
      this.keys = keys;
      this.loadedAt = this.now();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const kept = this.keys ? ` (keeping the ${this.keys.size} known)` : '';
      this.log.warn(`cannot load the signing keys of ${this.options.issuer}: ${reason}${kept}`);
    }
  }
}

function sameKeys(a: ReadonlyMap<string, OidcKey> | undefined, b: ReadonlyMap<string, OidcKey>): boolean {
  return a !== undefined && a.size === b.size && [...b].every(([kid, key]) => a.get(kid)?.pem === key.pem);
}
