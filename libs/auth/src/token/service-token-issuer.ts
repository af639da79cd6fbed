import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { ServiceAuthConfig } from '../config/service-auth-config';
import type { SigningKey } from '../keys/signing-key';
import { SERVICE_AUTH_CONFIG, SERVICE_JWT, SIGNING_KEY } from '../nest/tokens';
import { grantedScopes } from '../policy/service-scopes';

export type IssuerConfig = Pick<ServiceAuthConfig, 'service' | 'tokenTtlSeconds' | 'policy'>;

/** A token is renewed this long before it expires: 10 s, or 20% of a lifetime under 50 s. */
export const renewalMarginMs = (ttlSeconds: number) => Math.min(10_000, ttlSeconds * 200);

/**
 * Mints this service's identity tokens (JWT, signed with its own key, `kid` in the header): `iss` = `sub` = this
 * service, `aud` = the target, `scope` = what SERVICE_SCOPES grants this service for the target, `iat`, `nbf`,
 * `exp` (SERVICE_TOKEN_TTL_SECONDS), `jti`. One token per audience is reused until shortly before it expires:
 * no signing per call.
 */
@Injectable()
export class ServiceTokenIssuer {
  private readonly cache = new Map<string, { token: string; authorization: string; renewAt: number }>();

  constructor(
    @Inject(SERVICE_JWT) private readonly jwt: JwtService,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(SERVICE_AUTH_CONFIG) private readonly config: IssuerConfig,
  ) {}

  get service(): string {
    return this.config.service;
  }

  /** A valid token for `audience` (a service name, or EVENTS_AUDIENCE). */
  tokenFor(audience: string): string {
    return this.current(audience).token;
  }

  /** The `authorization` metadata value for `audience`: `Bearer <token>`, made once per token. */
  authorizationFor(audience: string): string {
    return this.current(audience).authorization;
  }

  private current(audience: string): { token: string; authorization: string } {
    const now = Date.now();
    const cached = this.cache.get(audience);
    if (cached && now < cached.renewAt) return cached;
    const ttl = this.config.tokenTtlSeconds;
    const scopes = grantedScopes(this.config.policy, this.config.service, audience);
    const token = this.jwt.sign(scopes.length > 0 ? { scope: scopes.join(' ') } : {}, {
      privateKey: this.key.key,
      algorithm: this.key.algorithm,
      keyid: this.key.kid,
      issuer: this.config.service,
      subject: this.config.service,
      audience,
      expiresIn: ttl,
      notBefore: 0,
      jwtid: randomUUID(),
    });
    // `iat` is whole seconds: the token expires at floor(now) + ttl.
    const expiresAt = Math.floor(now / 1000) * 1000 + ttl * 1000;
    const entry = { token, authorization: flat(`Bearer ${token}`), renewAt: expiresAt - renewalMarginMs(ttl) };
    this.cache.set(audience, entry);
    return entry;
  }
}

/** A string in one piece (not a concatenation V8 would flatten again wherever it is written or hashed). */
function flat(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
}
