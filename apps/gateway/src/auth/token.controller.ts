import { Body, Controller, Headers, HttpCode, Logger, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { nodeResponse } from '../edge/node-http';
import { AccessTokenService } from './access-token.service';
import { ClientRegistry } from './client-registry';
import { OAuthError } from './oauth-error';
import { readTokenRequest } from './token-request';

export const TOKEN_PATH = '/v1/auth/token';

/** Token responses, and their errors, must not be cached (RFC 6749 §5.1). */
export function noStore(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * `POST /v1/auth/token`: the OAuth2 client credentials grant (RFC 6749 §4.4). Credentials come in the body
 * (`client_id`, `client_secret`, form or JSON) or as HTTP Basic; the answer is a bearer token whose `sub` is the
 * client id. Errors are RFC 6749 §5.2 bodies: `{error, error_description}`.
 */
const OAUTH_ERROR = (status: number, error: string, description: string) =>
  ApiResponse({
    status,
    description: `RFC 6749 error (${error}): the token endpoint answers in OAuth's shape, not the API's`,
    schema: { example: { error, error_description: description } },
  });

@ApiTags('auth')
@Controller()
export class TokenController {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly clients: ClientRegistry,
    private readonly tokens: AccessTokenService,
  ) {}

  @Post(TOKEN_PATH)
  @HttpCode(200)
  @ApiOperation({ summary: 'Get an access token (OAuth2 client credentials; form, JSON or HTTP Basic)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type', 'client_id', 'client_secret'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        client_id: { type: 'string', example: 'demo' },
        client_secret: { type: 'string', example: 'demo-secret' },
      },
    },
  })
  @ApiOkResponse({ schema: { example: { access_token: 'eyJhbGciOiJIUzI1NiIs...', token_type: 'Bearer', expires_in: 3600 } } })
  @OAUTH_ERROR(400, 'invalid_request', 'grant_type is required')
  @OAUTH_ERROR(401, 'invalid_client', 'client authentication failed')
  async token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: object,
  ): Promise<TokenResponse> {
    const res = nodeResponse(reply);
    noStore(res);
    try {
      const request = readTokenRequest(body, authorization);
      if (!this.clients.authenticate(request.clientId, request.clientSecret)) {
        // Only a configured id is named: an unknown one may be a secret typed into the wrong field.
        const who = this.clients.has(request.clientId) ? `client_id ${JSON.stringify(request.clientId)}` : 'an unknown client_id';
        this.logger.warn(`client authentication failed for ${who}`);
        throw new OAuthError('invalid_client', 'client authentication failed');
      }
      const { accessToken, expiresIn } = await this.tokens.issue(request.clientId);
      return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
    } catch (error) {
      // A 401 names the scheme the client can authenticate with (RFC 6749 §5.2, RFC 9110 §15.5.2).
      if (error instanceof OAuthError && error.error === 'invalid_client') {
        res.setHeader('WWW-Authenticate', 'Basic realm="switchboard", charset="UTF-8"');
      }
      throw error;
    }
  }
}
