import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RpcError, StatusCode } from '@app/transport';
import { nodeResponse } from '../edge/node-http';
import { setAuthenticatedClient } from './authenticated-client';
import { BearerTokenVerifier } from './bearer-token-verifier';
import { InvalidAccessToken } from './invalid-access-token';

const REALM = 'switchboard';

/** RFC 6750 §2.1: `Bearer` and the token (base64url JWT characters), once. */
export const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Lets a request through only with a valid access token (`Authorization: Bearer <jwt>`): one from the token
 * endpoint, or from the configured OpenID Connect provider (BearerTokenVerifier). Records its customer for
 * `@AuthenticatedClient()`. Otherwise 401 UNAUTHENTICATED with a `WWW-Authenticate: Bearer` challenge (RFC 6750
 * §3), or 503 while the provider's keys cannot be loaded. The token itself is never written to a response or a log.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly tokens: BearerTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = nodeResponse(http.getResponse<object>());
    const header = request.headers.authorization;

    if (header === undefined || header === '') {
      // No credentials at all: a bare challenge, no error code (RFC 6750 §3.1).
      response.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw new RpcError(StatusCode.UNAUTHENTICATED, 'missing bearer token: send Authorization: Bearer <access token>');
    }
    const refuse = (description: string): never => {
      const challenge = `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
      response.setHeader('WWW-Authenticate', challenge);
      throw new RpcError(StatusCode.UNAUTHENTICATED, description);
    };

    const match = BEARER.exec(header);
    if (!match) return refuse('malformed Authorization header: expected Bearer <access token>');
    let customerId: string;
    try {
      customerId = await this.tokens.verifyFor(request, match[1]);
    } catch (error) {
      if (error instanceof InvalidAccessToken) return refuse(error.message);
      throw error;
    }
    setAuthenticatedClient(request, customerId);
    return true;
  }
}
