import { HttpException, Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcError, StatusCode } from '@app/transport';
import { OAuthError } from '../auth/oauth-error';
import { noStore, TOKEN_PATH } from '../auth/token.controller';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { installEdgeMiddleware } from '../edge/configure-edge';

/** Largest request body the gateway reads, JSON or form; a larger one is 413 before any handler runs. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** What body-parser passes to `next` (an http-errors error with the kind of failure in `type`). */
interface BodyParserError {
  status: number;
  type: string;
  message: string;
}

type Next = (error?: unknown) => void;
type ErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void;

function isBodyParserError(error: unknown): error is BodyParserError {
  if (!(error instanceof Error)) return false;
  const { status, type } = error as Error & Partial<BodyParserError>;
  return typeof status === 'number' && typeof type === 'string';
}

/** 413: a body over the limit, or (a form) with more parameters than body-parser's 1000. */
const tooLarge = (error: BodyParserError) =>
  new HttpException(
    {
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message:
        error.type === 'entity.too.large' ? `request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB` : error.message,
    },
    413,
  );

/** What the client is told about a body it could not send right: the parser's message, except for malformed JSON. */
const clientMessage = (error: BodyParserError) =>
  // JSON.parse's message quotes the body, which may hold a secret: it is not passed on.
  error.type === 'entity.parse.failed' ? 'request body is not valid JSON' : error.message;

/**
 * Body failures on the API: a body that cannot be read (malformed JSON, an aborted request) is INVALID_ARGUMENT
 * in the shape of every other validation error (400 through the RpcErrorFilter); too large is 413; an unsupported
 * charset or encoding 415.
 */
const apiBodyErrors: ErrorMiddleware = (error, _req, _res, next) => {
  if (!isBodyParserError(error)) return next(error);
  const message = clientMessage(error);
  if (error.status === 413) return next(tooLarge(error));
  if (error.status === 415) {
    return next(new HttpException({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message }, 415));
  }
  if (error.status === 400) {
    return next(new RpcError(StatusCode.INVALID_ARGUMENT, message, { issues: [{ path: '', message }] }));
  }
  next(error);
};

/** The same failures at the token endpoint, as RFC 6749 errors (and, like every token response, not cacheable). */
const tokenBodyErrors: ErrorMiddleware = (error, _req, res, next) => {
  if (!isBodyParserError(error)) return next(error);
  noStore(res);
  if (error.status === 413) return next(tooLarge(error));
  if (error.status >= 400 && error.status < 500) return next(new OAuthError('invalid_request', clientMessage(error)));
  next(error);
};

/**
 * Installs the edge's first middleware (request id, security headers, CORS: installEdgeMiddleware), then the
 * gateway's body parsers: JSON and (flat) urlencoded, both limited to 64 KiB, with their errors in
 * the gateway's shapes.
 *
 * Why here and like this: Nest registers its own parsers (100 KiB limit) when the app initialises, before any
 * module middleware, and skips a parser of the same kind that is already installed (what `app.useBodyParser` relies
 * on). Providers are created earlier, inside `NestFactory.create`, so this factory installs the gateway's parsers
 * first and Nest's are never added: the gateway keeps starting through the shared `startService` unchanged. The
 * HTTP specs (a 65 KiB body is 413, Nest's own limit is 100 KiB) fail if that ever changes.
 */
export const BODY_PARSING: Provider = {
  provide: Symbol('gateway:body-parsing'),
  inject: [HttpAdapterHost, GATEWAY_CONFIG],
  useFactory: (host: HttpAdapterHost, config: GatewayConfig) => {
    const adapter = host.httpAdapter;
    if (!(adapter instanceof ExpressAdapter)) {
      throw new Error('the gateway needs the Express HTTP adapter, set before its providers are created (NestFactory.create)');
    }
    installEdgeMiddleware(adapter, config);
    adapter.useBodyParser('json', false, { limit: BODY_LIMIT_BYTES });
    adapter.useBodyParser('urlencoded', false, { limit: BODY_LIMIT_BYTES, extended: false });
    adapter.use(TOKEN_PATH, tokenBodyErrors);
    adapter.use(apiBodyErrors);
    return true;
  },
};
