import { Inject, Injectable } from '@nestjs/common';
import { RpcError, StatusCode } from '@app/transport';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { AccessTokenService } from './access-token.service';
import { ClientRegistry } from './client-registry';
import { InvalidAccessToken } from './invalid-access-token';
import { OidcKeysUnavailable } from './oidc/oidc-key-set';
import { OidcTokenVerifier } from './oidc/oidc-token-verifier';
import { decodeUnverified } from './unverified-jwt';

/**
 * Turns a bearer token into the customer it acts for. The token's `iss`, read before verification and trusted
 * only as a choice of verifier, picks the check: the external OpenID Connect provider's issuer -> its keys
 * (OidcTokenVerifier); anything else -> the gateway's own HS256 tokens, whose client must still be configured.
 * Rejects with InvalidAccessToken (401), or UNAVAILABLE (503) while the provider's keys cannot be loaded.
 */
@Injectable()
export class BearerTokenVerifier {
  private readonly oidc?: OidcTokenVerifier;
  /** One verification per request, shared by the guards that need it (rate limits, then auth). */
  private readonly perRequest = new WeakMap<object, { token: string; customer: Promise<string> }>();

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly clients: ClientRegistry,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    if (config.oidc) this.oidc = new OidcTokenVerifier(config.oidc);
  }

  /** `verify`, done once for a request however many guards ask (the same token: the request's own header). */
  verifyFor(request: object, token: string): Promise<string> {
    const done = this.perRequest.get(request);
    if (done && done.token === token) return done.customer;
    const customer = this.verify(token);
    customer.catch(() => undefined);
    this.perRequest.set(request, { token, customer });
    return customer;
  }

  async verify(token: string): Promise<string> {
    if (this.oidc && decodeUnverified(token)?.claims.iss === this.oidc.issuer) return this.verifyOidc(this.oidc, token);
    const clientId = await this.tokens.verify(token);
    if (!this.clients.has(clientId)) throw new InvalidAccessToken('invalid');
    return clientId;
  }

  private async verifyOidc(oidc: OidcTokenVerifier, token: string): Promise<string> {
    let customerId: string;
    try {
      customerId = await oidc.verify(token);
    } catch (error) {
      if (error instanceof OidcKeysUnavailable) throw new RpcError(StatusCode.UNAVAILABLE, error.message);
      throw error;
    }
    // One namespace of customer ids: a provider's user must not act as an API client (and see its orders).
    if (this.clients.has(customerId)) throw new InvalidAccessToken('invalid', 'the customer id belongs to an API client');
    return customerId;
  }
}
