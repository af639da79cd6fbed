import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JsonWebTokenError, JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import type { ServiceAuthConfig } from '../config/service-auth-config';
import type { VerificationKey, VerificationKeys } from '../keys/verification-keys';
import { SERVICE_AUTH_CONFIG, SERVICE_JWT, VERIFICATION_KEYS } from '../nest/tokens';
import { grantedScopes } from '../policy/service-scopes';
import type { CallerIdentity } from './service-token-claims';
import { TokenRejection } from './token-rejection';
import { VerifiedTokenCache } from './verified-token-cache';

export interface VerifyExpectations {
  /** This service, or EVENTS_AUDIENCE for an event. */
  audience: string;
  /** For an event: the service that publishes its type. */
  issuer?: string;
  /** Epoch ms at which the token must be valid (default: now). For an event: when the bus stored it. */
  at?: number;
}

export type VerifierConfig = Pick<ServiceAuthConfig, 'policy' | 'knownServices' | 'clockToleranceSeconds'>;

/** Longest `exp - iat` accepted, whatever the issuer's TTL setting. */
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;
const MAX_TOKEN_LENGTH = 4096;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;

/**
 * Verifies a service token: well-formed; header `alg` exactly the mode's algorithm (RS256, or HS256 in
 * development), so `none` and algorithm confusion fail; signature with the key its `kid` names; `aud`; `exp` and
 * `nbf` with a small clock tolerance; `iss` a known service owning the key (`sub` = `iss`, `iat`, `jti`, a lifetime
 * of at most an hour). Resolves with the caller's identity, whose scopes are the token's scopes that the policy
 * grants the issuer for this audience; rejects with a TokenRejection that never contains the token.
 */
@Injectable()
export class ServiceTokenVerifier {
  private readonly verified: VerifiedTokenCache;

  constructor(
    @Inject(SERVICE_JWT) private readonly jwt: JwtService,
    @Inject(VERIFICATION_KEYS) private readonly keys: VerificationKeys,
    @Inject(SERVICE_AUTH_CONFIG) private readonly config: VerifierConfig,
  ) {
    this.verified = new VerifiedTokenCache(config.clockToleranceSeconds);
  }

  /**
   * The identity of a token that already passed full verification for this audience and is still valid, without
   * any new work (the hot path of a caller that reuses its token); undefined when it must be verified (`verify`).
   */
  verifiedBefore(token: string | undefined, expected: VerifyExpectations): CallerIdentity | undefined {
    if (token === undefined) return undefined;
    const now = Date.now();
    const hit = this.verified.get(token, expected.audience, this.keys.version, expected.at ?? now, now);
    // The issuer is a claim of the cached identity: another issuer is refused by `verify`, as a full check would.
    return hit !== undefined && (expected.issuer === undefined || hit.service === expected.issuer) ? hit : undefined;
  }

  async verify(token: string | undefined, expected: VerifyExpectations): Promise<CallerIdentity> {
    if (token === undefined || token === '') throw new TokenRejection('missing');
    const now = Date.now();
    const at = expected.at ?? now;
    // A token is only cached after full verification (its shape included), so a hit needs no shape check; the
    // signature does not depend on when or by whom it is checked, so only the times and the issuer are checked again.
    const hit = this.verified.get(token, expected.audience, this.keys.version, at, now);
    if (hit) {
      if (expected.issuer !== undefined && expected.issuer !== hit.service) throw new TokenRejection('wrong-issuer');
      return hit;
    }
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) throw new TokenRejection('malformed');

    const key = await this.keyFor(token);
    const keysVersion = this.keys.version;
    const claims = this.checkSignatureAndTimes(token, key, expected.audience, at);
    const identity = this.identityOf(claims, key, expected);
    this.verified.set(token, { identity, audience: expected.audience, nbf: claims.nbf, exp: claims.exp, keysVersion });
    return identity;
  }

  private async keyFor(token: string): Promise<VerificationKey> {
    const header = decodeSegment(token.slice(0, token.indexOf('.')));
    if (header.alg !== this.keys.algorithm) throw new TokenRejection('algorithm', `expected ${this.keys.algorithm}`);
    if ('crit' in header) throw new TokenRejection('malformed', 'critical header parameters are not supported');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    if (kid === undefined && this.keys.algorithm === 'RS256') throw new TokenRejection('malformed', 'no key id');
    const key = await this.keys.find(kid);
    if (!key) throw new TokenRejection(this.keys.ready ? 'unknown-key' : 'keys-unavailable');
    return key;
  }

  private checkSignatureAndTimes(token: string, key: VerificationKey, audience: string, at: number) {
    let payload: unknown;
    try {
      payload = this.jwt.verify<object>(token, {
        publicKey: keyObjectOf(key) as unknown as string,
        algorithms: [key.algorithm],
        audience,
        clockTolerance: this.config.clockToleranceSeconds,
        clockTimestamp: Math.floor(at / 1000),
      });
    } catch (error) {
      throw rejectionOf(error, audience);
    }
    if (typeof payload !== 'object' || payload === null) throw new TokenRejection('claims');
    const { iss, sub, aud, iat, nbf, exp, jti, scope } = payload as Record<string, unknown>;
    if (
      typeof iss !== 'string' || sub !== iss || typeof aud !== 'string' || typeof jti !== 'string' || jti === '' ||
      !isInt(iat) || !isInt(nbf) || !isInt(exp) || (scope !== undefined && typeof scope !== 'string')
    ) {
      throw new TokenRejection('claims');
    }
    if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) throw new TokenRejection('lifetime', `at most ${MAX_TOKEN_LIFETIME_SECONDS} s`);
    return { iss, nbf, exp, scope };
  }

  private identityOf(claims: { iss: string; scope?: string }, key: VerificationKey, expected: VerifyExpectations): CallerIdentity {
    if (!this.config.knownServices.has(claims.iss)) throw new TokenRejection('unknown-issuer');
    if (key.owner !== undefined && key.owner !== claims.iss) throw new TokenRejection('key-not-issuers');
    if (expected.issuer !== undefined && expected.issuer !== claims.iss) throw new TokenRejection('wrong-issuer');
    const granted = grantedScopes(this.config.policy, claims.iss, expected.audience);
    const claimed = new Set((claims.scope ?? '').split(' '));
    return Object.freeze({ service: claims.iss, scopes: Object.freeze(granted.filter((scope) => claimed.has(scope))) });
  }
}

const keyObjects = new WeakMap<VerificationKey, KeyObject>();

/**
 * The key as a KeyObject, made once per key: given a PEM string or a Buffer, jsonwebtoken makes one on every verify
 * (and for an HS256 Buffer first tries it as a public key, which throws): most of a verification's cost.
 */
function keyObjectOf(key: VerificationKey): KeyObject {
  let made = keyObjects.get(key);
  if (!made) {
    made = key.algorithm === 'HS256' ? createSecretKey(Buffer.from(key.material)) : createPublicKey(key.material);
    keyObjects.set(key, made);
  }
  return made;
}

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the rejection
  }
  throw new TokenRejection('malformed');
}

function rejectionOf(error: unknown, audience: string): TokenRejection {
  if (error instanceof TokenExpiredError) return new TokenRejection('expired');
  if (error instanceof NotBeforeError) return new TokenRejection('not-yet-valid');
  if (error instanceof JsonWebTokenError) {
    if (error.message === 'invalid signature') return new TokenRejection('bad-signature');
    if (error.message.startsWith('jwt audience invalid')) return new TokenRejection('wrong-audience', `expected ${audience}`);
    if (error.message === 'invalid algorithm') return new TokenRejection('algorithm');
  }
  return new TokenRejection('malformed');
}

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
