import { createSecretKey, KeyObject } from 'node:crypto';

export type ServiceTokenAlgorithm = 'RS256' | 'HS256';

/** A key a token may be verified with: its algorithm is the only one accepted with it. */
export interface VerificationKey {
  readonly kid: string;
  readonly algorithm: ServiceTokenAlgorithm;
  /** The service that owns the key (asymmetric keys); a shared secret has none. */
  readonly owner?: string;
  /** Public key (PEM) or shared secret. */
  readonly material: string | Buffer;
}

/**
 * The keys a service trusts. `find` returns the key with that id, reading the key set again (bounded) when the
 * id is unknown; `ready` is false while no key set has been loaded yet (the JWKS URL never answered).
 */
export interface VerificationKeys {
  readonly algorithm: ServiceTokenAlgorithm;
  readonly ready: boolean;
  /** Changes whenever the key set changes (verified-token caches are dropped then). */
  readonly version: number;
  find(kid: string | undefined): Promise<VerificationKey | undefined>;
}

/** Development mode: one secret shared by every service, whatever the token's key id. */
export class SharedSecretKeys implements VerificationKeys {
  readonly algorithm = 'HS256';
  readonly ready = true;
  readonly version = 0;
  private readonly key: VerificationKey;

  constructor(secret: string) {
    this.key = { kid: 'dev', algorithm: 'HS256', material: Buffer.from(secret, 'utf8') };
  }

  async find(): Promise<VerificationKey> {
    return this.key;
  }

  /** The secret as a key object, for signing. */
  static signingKey(secret: string): KeyObject {
    return createSecretKey(Buffer.from(secret, 'utf8'));
  }
}
