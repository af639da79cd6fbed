import { createPublicKey, KeyObject } from 'node:crypto';

/** The only algorithms accepted from the provider: asymmetric, so a public key can never act as an HMAC secret. */
export const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number];
export const isOidcAlgorithm = (alg: unknown): alg is OidcAlgorithm => OIDC_ALGORITHMS.some((known) => known === alg);

/** A signing key of the provider: the algorithms a token may use with it, and the public key (PEM). */
export interface OidcKey {
  readonly kid: string;
  readonly algorithms: readonly OidcAlgorithm[];
  readonly pem: string;
}

export const MAX_OIDC_KEYS = 100;
export const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The signing keys of a provider's JWKS (RFC 7517), by key id: RSA keys of 2048 bits or more (RS256, PS256) and
 * EC P-256 keys (ES256). Keys for encryption (`use: enc`), of another type, curve or algorithm, without a key id,
 * or too small are ignored (RFC 7517 §5). Private key material, a key id used twice, a key that does not parse, or
 * no usable key at all is an error naming `source`.
 */
export function parseOidcJwks(document: unknown, source: string): ReadonlyMap<string, OidcKey> {
  const list = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error(`JWKS ${source} has no "keys" array`);
  if (list.length > MAX_OIDC_KEYS) throw new Error(`JWKS ${source} has ${list.length} keys, over ${MAX_OIDC_KEYS}`);

  const keys = new Map<string, OidcKey>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const jwk = entry as Record<string, unknown>;
    const { kid } = jwk;
    if (typeof kid !== 'string' || kid === '' || kid.length > 256 || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    const where = `JWKS ${source}: key "${kid.slice(0, 80)}"`;
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new Error(`${where} holds private key material`);
    const algorithms = algorithmsOf(jwk);
    if (algorithms.length === 0) continue;
    const key = publicKeyOf(jwk, where);
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) continue;
    if (keys.has(kid)) throw new Error(`${where} appears twice`);
    keys.set(kid, { kid, algorithms, pem: key.export({ type: 'spki', format: 'pem' }).toString() });
  }
  if (keys.size === 0) throw new Error(`JWKS ${source} holds no ${OIDC_ALGORITHMS.join('/')} signing key`);
  return keys;
}

/** What the key may sign: its `alg` if it names one we accept, else what its type allows. */
function algorithmsOf(jwk: Record<string, unknown>): OidcAlgorithm[] {
  const allowed: OidcAlgorithm[] =
    jwk.kty === 'RSA' ? ['RS256', 'PS256'] : jwk.kty === 'EC' && jwk.crv === 'P-256' ? ['ES256'] : [];
  if (jwk.alg === undefined) return allowed;
  return allowed.filter((alg) => alg === jwk.alg);
}

function publicKeyOf(jwk: Record<string, unknown>, where: string): KeyObject {
  const { kty, n, e, crv, x, y } = jwk;
  try {
    if (kty === 'RSA' && typeof n === 'string' && typeof e === 'string') {
      return createPublicKey({ key: { kty, n, e }, format: 'jwk' });
    }
    if (kty === 'EC' && typeof crv === 'string' && typeof x === 'string' && typeof y === 'string') {
      return createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
    }
  } catch {
    // falls through to the error
  }
  throw new Error(`${where} is not a valid public key`);
}
