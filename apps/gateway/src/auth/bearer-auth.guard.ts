import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcError, StatusCode } from '@app/transport';
import { AccessTokenService, InvalidAccessToken } from './access-token.service';
import { setAuthenticatedClient } from './authenticated-client';
import { ClientRegistry } from './client-registry';

const REALM = 'switchboard';

/** RFC 6750 §2.1: `Bearer` and the token (base64url JWT characters), once. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Lets a request through only with a valid access token from the token endpoint (`Authorization: Bearer <jwt>`),
 * and records its client for `@AuthenticatedClient()`. Otherwise 401 UNAUTHENTICATED with a `WWW-Authenticate:
 * Bearer` challenge (RFC 6750 §3). The token itself is never written to a response or a log.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly clients: ClientRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
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
    let clientId: string;
    try {
      clientId = await this.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidAccessToken) return refuse(error.message);
      throw error;
    }
    if (!this.clients.has(clientId)) return refuse('access token is invalid');
    setAuthenticatedClient(request, clientId);
    return true;
  }
}
