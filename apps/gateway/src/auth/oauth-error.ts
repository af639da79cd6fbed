import { HttpException } from '@nestjs/common';

/** The error codes of the token endpoint that the gateway uses (RFC 6749 §5.2). */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

/**
 * An error response of the token endpoint: `{error, error_description}` with 400, or 401 for `invalid_client`.
 * Being an HttpException, it leaves through Nest's default handling (the RpcErrorFilter passes it on) unchanged.
 */
export class OAuthError extends HttpException {
  constructor(
    readonly error: OAuthErrorCode,
    description: string,
  ) {
    super({ error, error_description: description }, error === 'invalid_client' ? 401 : 400);
  }
}
