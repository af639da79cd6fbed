import type { AbstractHttpAdapter } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TOKEN_PATH } from '../auth/token.controller';
import type { GatewayConfig } from '../config/gateway-config';
import { apiBodyError, BODY_LIMIT_BYTES, isBodyParserError, tokenBodyError } from '../http/body-parsing';
import { edgeCorsOptions, edgeHelmetOptions, securityHeaders } from './configure-edge';
import { requestIdMiddleware } from './request-id';

type Next = (error?: unknown) => void;

/**
 * The edge on Express (HTTP_PLATFORM=express), as the first middleware of every request, installed before the body
 * parsers so that even a request refused for its body gets them: its request id, security headers (helmet) and,
 * for the configured origins only, CORS. Then body-parser's JSON and urlencoded parsers (64 KiB) and two error
 * middleware that turn body-parser's errors into the gateway's (apiBodyError, tokenBodyError).
 */
export function installExpressEdge(httpAdapter: AbstractHttpAdapter, config: GatewayConfig): void {
  const adapter = httpAdapter as ExpressAdapter;
  adapter.use(requestIdMiddleware);
  adapter.use(securityHeaders(edgeHelmetOptions(config)));
  const cors = edgeCorsOptions(config);
  if (cors) adapter.enableCors(cors);
  adapter.useBodyParser('json', false, { limit: BODY_LIMIT_BYTES });
  adapter.useBodyParser('urlencoded', false, { limit: BODY_LIMIT_BYTES, extended: false });
  adapter.use(TOKEN_PATH, (error: unknown, _req: IncomingMessage, res: ServerResponse, next: Next) =>
    next(isBodyParserError(error) ? tokenBodyError(error, res) : error),
  );
  adapter.use((error: unknown, _req: IncomingMessage, _res: ServerResponse, next: Next) =>
    next(isBodyParserError(error) ? apiBodyError(error) : error),
  );
}
