import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServiceAuthConfig } from '../config/service-auth-config';
import { SharedSecretKeys, ServiceTokenAlgorithm } from './verification-keys';

/** The key this service signs its tokens with; `kid` goes into every token's header. */
export interface SigningKey {
  readonly kid: string;
  readonly algorithm: ServiceTokenAlgorithm;
  readonly key: KeyObject;
}

export const MIN_RSA_BITS = 2048;
export const DEV_KEY_ID = 'dev';

/**
 * Reads SERVICE_KEY_FILE (an RSA private key of at least 2048 bits, PEM) or, in development mode, takes the
 * shared secret. Errors name the variable and the file, never the key.
 */
export function readSigningKey(config: Pick<ServiceAuthConfig, 'keys'>): SigningKey {
  const { keys } = config;
  if (keys.mode === 'dev-hs256') {
    return { kid: DEV_KEY_ID, algorithm: 'HS256', key: SharedSecretKeys.signingKey(keys.secret) };
  }
  let pem: string;
  try {
    pem = readFileSync(keys.keyFile, 'utf8');
  } catch (error) {
    throw new Error(`SERVICE_KEY_FILE: cannot read ${keys.keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`SERVICE_KEY_FILE: ${keys.keyFile} is not an unencrypted PEM private key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new Error(`SERVICE_KEY_FILE: ${keys.keyFile} must be an RSA key of at least ${MIN_RSA_BITS} bits (RS256)`);
  }
  return { kid: keys.keyId, algorithm: 'RS256', key };
}
