import { createPublicKey, KeyObject } from 'node:crypto';
import { KEY_ID, keyOwner } from './key-id';
import { MIN_RSA_BITS } from './signing-key';
import type { VerificationKey } from './verification-keys';

export const MAX_JWKS_KEYS = 100;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Parses a JWKS (RFC 7517) into the RS256 keys it holds, by key id. Keys of another type, use or algorithm are
 * ignored (RFC 7517 §5); a key with private members, a key id not of the form `<service>:<label>`, an RSA key
 * under 2048 bits, a repeated key id, or no usable key at all is an error naming `source`.
 */
export function parseJwks(text: string, source: string): ReadonlyMap<string, VerificationKey> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`JWKS ${source} is not JSON`);
  }
  const list = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error(`JWKS ${source} has no "keys" array`);
  if (list.length > MAX_JWKS_KEYS) throw new Error(`JWKS ${source} has ${list.length} keys, over ${MAX_JWKS_KEYS}`);

  const keys = new Map<string, VerificationKey>();
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw new Error(`JWKS ${source}: key ${index} is not an object`);
    const jwk = entry as Record<string, unknown>;
    const kid = jwk.kid;
    const where = `JWKS ${source}: key ${typeof kid === 'string' ? `"${kid.slice(0, 80)}"` : index}`;
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new Error(`${where} holds private key material`);
    if (jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== 'RS256')) {
      return;
    }
    if (typeof kid !== 'string' || !KEY_ID.test(kid)) throw new Error(`${where}: "kid" must be <service>:<label>`);
    if (keys.has(kid)) throw new Error(`${where} appears twice`);
    const { n, e } = jwk;
    let key: KeyObject;
    try {
      if (typeof n !== 'string' || typeof e !== 'string') throw new Error('no modulus or exponent');
      key = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });
    } catch {
      throw new Error(`${where} is not a valid RSA public key`);
    }
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`${where} is under ${MIN_RSA_BITS} bits`);
    const pem = key.export({ type: 'spki', format: 'pem' }).toString();
    keys.set(kid, { kid, algorithm: 'RS256', owner: keyOwner(kid), material: pem });
  });
  if (keys.size === 0) throw new Error(`JWKS ${source} holds no RS256 signing key`);
  return keys;
}
