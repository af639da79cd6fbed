import type { ServiceAuthConfig } from '../config/service-auth-config';
import { fileJwksSource, urlJwksSource } from './jwks-source';
import { TrustedKeys } from './trusted-keys';
import { SharedSecretKeys, VerificationKeys } from './verification-keys';

/** The keys of the configured mode: the JWKS file or URL (RS256), or the development shared secret (HS256). */
export function createVerificationKeys(config: ServiceAuthConfig): VerificationKeys {
  const { keys } = config;
  if (keys.mode === 'dev-hs256') return new SharedSecretKeys(keys.secret);
  const source = 'file' in keys.jwks ? fileJwksSource(keys.jwks.file) : urlJwksSource(keys.jwks.url);
  return new TrustedKeys(source, { refreshMs: config.jwksRefreshMs, unknownKidRefreshMs: config.unknownKidRefreshMs });
}
