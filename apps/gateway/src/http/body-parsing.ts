import { HttpException, Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { RpcError, StatusCode } from '@app/transport';
import { OAuthError } from '../auth/oauth-error';
import { noStore } from '../auth/token.controller';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { installExpressEdge } from '../edge/express-edge';
import { installFastifyEdge } from '../edge/fastify-edge';

/** Largest request body the gateway reads, JSON or form; a larger one is 413 before any handler runs. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A body the platform could not read, in body-parser's terms (an http-errors error: the HTTP status and the kind
 * of failure in `type`, e.g. `entity.too.large`, `entity.parse.failed`, `charset.unsupported`). Fastify's body
 * errors are put in these terms too (fastify-edge.ts), so both platforms answer them alike.
 */
export interface BodyParserError {
  status: number;
  type: string;
  message: string;
}

export function isBodyParserError(error: unknown): error is BodyParserError {
  if (!(error instanceof Error)) return false;
  const { status, type } = error as Error & Partial<BodyParserError>;
  return typeof status === 'number' && typeof type === 'string';
}

/** A BodyParserError (what the Fastify parsers throw, with body-parser's statuses and messages). */
export function bodyParserError(status: number, type: string, message: string): Error & BodyParserError {
  return Object.assign(new Error(message), { status, type });
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
 * in the shape of every other validation error (400 through the EdgeErrorFilter); too large is 413; an
 * unsupported charset or encoding 415. Other errors are returned as they are.
 */
export function apiBodyError(error: BodyParserError): unknown {
  const message = clientMessage(error);
  if (error.status === 413) return tooLarge(error);
  if (error.status === 415) return new HttpException({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message }, 415);
  if (error.status === 400) return new RpcError(StatusCode.INVALID_ARGUMENT, message, { issues: [{ path: '', message }] });
  return error;
}

/** The same failures at the token endpoint, as RFC 6749 errors (and, like every token response, not cacheable). */
export function tokenBodyError(error: BodyParserError, res: ServerResponse): unknown {
  noStore(res);
  if (error.status === 413) return tooLarge(error);
  if (error.status >= 400 && error.status < 500) return new OAuthError('invalid_request', clientMessage(error));
  return error;
}

/**
 * Installs the edge's first work on every request (request id, security headers, CORS), then the gateway's body
 * parsers: JSON (strict: an object or an array) and flat urlencoded, both limited to 64 KiB, with their errors in
 * the gateway's shapes. One file per platform does it: express-edge.ts (middleware), fastify-edge.ts (hooks and
 * content-type parsers).
 *
 * Why here and like this: Nest registers its own parsers (100 KiB limit on Express, Fastify's 1 MiB) when the app
 * initialises, before any module middleware, and skips them when the app already has its own (what
 * `app.useBodyParser` relies on). Providers are created earlier, inside `NestFactory.create`, so this factory
 * installs the gateway's parsers first and Nest's are never added: the gateway keeps starting through the shared
 * `startService` unchanged. The HTTP specs (a 65 KiB body is 413, Nest's own limit is 100 KiB) fail if that ever
 * changes.
 */
export const BODY_PARSING: Provider = {
  provide: Symbol('gateway:body-parsing'),
  inject: [HttpAdapterHost, GATEWAY_CONFIG],
  useFactory: (host: HttpAdapterHost, config: GatewayConfig) => {
    const adapter = host.httpAdapter;
    const platform = adapter?.getType();
    if (platform === 'express') installExpressEdge(adapter, config);
    else if (platform === 'fastify') installFastifyEdge(adapter, config);
    else throw new Error('the gateway needs the Express or Fastify HTTP adapter, set before its providers are created (NestFactory.create)');
    return true;
  },
};
