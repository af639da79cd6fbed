import { JsonWebTokenError, JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { isCustomerId } from '../../config/gateway-config';
import { InvalidAccessToken } from '../invalid-access-token';
import { decodeUnverified } from '../unverified-jwt';
import type { OidcConfig } from './oidc-config';
import { isOidcAlgorithm } from './oidc-jwks';
import { OidcKeySet } from './oidc-key-set';

/**
 * Verifies an access token of the external OpenID Connect provider and returns its customer id. Header `alg`
 * must be RS256, PS256 or ES256 and fit the key its `kid` names (so `none` and HS256 keyed with the public key
 * fail); then signature, `iss` (exact), `aud` (the configured audience, alone or in the array), `exp` (required)
 * and `nbf` with a small clock tolerance; then the customer claim, which must be a valid customer id. Rejects with
 * InvalidAccessToken (401), or OidcKeysUnavailable (503) while no key set could be loaded.
 */
export class OidcTokenVerifier {
  private readonly jwt = new JwtService();

  constructor(
    private readonly config: OidcConfig,
    private readonly keys: OidcKeySet = new OidcKeySet(config),
  ) {}

  get issuer(): string {
    return this.config.issuer;
  }

  async verify(token: string): Promise<string> {
    const decoded = decodeUnverified(token);
    if (!decoded) throw new InvalidAccessToken('invalid');
    const { alg, kid } = decoded.header;
    if (!isOidcAlgorithm(alg)) throw new InvalidAccessToken('invalid', 'algorithm not accepted');
    if ('crit' in decoded.header) throw new InvalidAccessToken('invalid', 'critical header parameters are not supported');
    if (typeof kid !== 'string' || kid === '') throw new InvalidAccessToken('invalid', 'no key id');
    const key = await this.keys.find(kid);
    if (!key) throw new InvalidAccessToken('invalid', 'unknown key id');
    if (!key.algorithms.includes(alg)) throw new InvalidAccessToken('invalid', 'algorithm does not fit the key');

    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token, {
        publicKey: key.pem,
        algorithms: [alg],
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
      });
    } catch (error) {
      throw refusalOf(error);
    }
    if (typeof claims.exp !== 'number') throw new InvalidAccessToken('invalid', 'no exp');
    const customerId = claims[this.config.customerClaim];
    if (!isCustomerId(customerId)) throw new InvalidAccessToken('invalid', 'no valid customer id claim');
    return customerId;
  }
}

/** jsonwebtoken's errors as refusals with a fixed detail (its messages may quote claims). */
function refusalOf(error: unknown): InvalidAccessToken {
  if (error instanceof TokenExpiredError) return new InvalidAccessToken('expired');
  if (error instanceof NotBeforeError) return new InvalidAccessToken('invalid', 'not valid yet');
  if (error instanceof JsonWebTokenError) {
    if (error.message === 'invalid signature') return new InvalidAccessToken('invalid', 'bad signature');
    if (error.message.startsWith('jwt audience invalid')) return new InvalidAccessToken('invalid', 'wrong audience');
    if (error.message.startsWith('jwt issuer invalid')) return new InvalidAccessToken('invalid', 'wrong issuer');
  }
  return new InvalidAccessToken('invalid');
}
