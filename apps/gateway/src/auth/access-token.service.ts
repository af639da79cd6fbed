import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtModuleOptions, JwtService, TokenExpiredError } from '@nestjs/jwt';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { InvalidAccessToken } from './invalid-access-token';

export const TOKEN_ISSUER = 'switchboard-gateway';
export const TOKEN_AUDIENCE = 'switchboard-api';

/**
 * The JwtModule settings of the gateway: HS256 only, our issuer and audience, both when signing and verifying.
 * The secret is a KeyObject made once: given a string, jsonwebtoken first tries it as a PEM public key on every
 * verify (and as a private key on every sign), which throws and costs more than the whole rest of a request.
 */
export const jwtOptions = (config: GatewayConfig): JwtModuleOptions => ({
  secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')),
  signOptions: { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: config.tokenTtlSeconds },
  verifyOptions: { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
});

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** How many verified tokens are remembered; past that the memory starts over (a client reuses its token). */
const VERIFIED_TOKENS = 10_000;

/** Issues and checks the gateway's access tokens (JWT, HS256): `sub` is the client id, which is the customer. */
@Injectable()
export class AccessTokenService {
  /**
   * Tokens whose signature, issuer and audience were checked, by the whole token (signature included): a client
   * sends the same token with every request, so the HMAC and JSON decoding are done once per token, and only the
   * times (`exp`, `nbf`, checked as jsonwebtoken does) again. A token not valid now is verified in full again.
   */
  private readonly verified = new Map<string, { sub: string; exp: number; nbf?: number }>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async issue(clientId: string): Promise<IssuedToken> {
    const accessToken = await this.jwt.signAsync({}, { subject: clientId });
    return { accessToken, expiresIn: this.config.tokenTtlSeconds };
  }

  /** The client id (`sub`) of a valid token: right signature and algorithm, issuer, audience, not expired. */
  async verify(token: string): Promise<string> {
    const known = this.verified.get(token);
    if (known) {
      const now = Math.floor(Date.now() / 1000);
      if (now < known.exp && (known.nbf === undefined || now >= known.nbf)) return known.sub;
    }
    let claims: { sub?: unknown; exp?: unknown; nbf?: unknown };
    try {
      claims = await this.jwt.verifyAsync<{ sub?: unknown; exp?: unknown; nbf?: unknown }>(token);
    } catch (error) {
      throw new InvalidAccessToken(error instanceof TokenExpiredError ? 'expired' : 'invalid');
    }
    // Every token we issue has both; a token without them was not made by `issue`.
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.exp !== 'number') {
      throw new InvalidAccessToken('invalid');
    }
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.clear();
    this.verified.set(token, { sub: claims.sub, exp: claims.exp, nbf: typeof claims.nbf === 'number' ? claims.nbf : undefined });
    return claims.sub;
  }
}
