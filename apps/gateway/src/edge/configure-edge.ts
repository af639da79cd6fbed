import type { INestApplication } from '@nestjs/common';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/gateway-config';
import { setUpOpenApi } from '../docs/openapi';
import { EdgeErrorFilter } from './edge-error.filter';
import { REQUEST_ID_HEADER, requestIdMiddleware } from './request-id';

/** Headers a browser client may read from a cross-origin response. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'Retry-After',
  'Idempotent-Replayed',
  'X-RateLimit-Limit-client',
  'X-RateLimit-Remaining-client',
  'X-RateLimit-Reset-client',
  'X-RateLimit-Limit-ip',
  'X-RateLimit-Remaining-ip',
  'X-RateLimit-Reset-ip',
];

/**
 * The first middleware of every request, installed before the body parsers (by BODY_PARSING) so that even a
 * request refused for its body gets them: its request id, security headers (helmet, with a content security
 * policy that lets the live page load its own script and open its WebSocket) and, for the configured origins
 * only, CORS.
 */
export function installEdgeMiddleware(adapter: ExpressAdapter, config: GatewayConfig): void {
  adapter.use(requestIdMiddleware);
  adapter.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          frameAncestors: ["'none'"],
        },
      },
      // The API is called from other origins when CORS_ORIGINS allows it.
      crossOriginResourcePolicy: { policy: config.edge.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
    }),
  );
  if (config.edge.corsOrigins.length > 0) {
    adapter.enableCors({
      origin: [...config.edge.corsOrigins],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
}

/**
 * helmet's headers, worked out once: with static options they do not depend on the request, so each request only
 * gets them set (not a chain of 13 middleware functions and a closure per request).
 */
export function securityHeaders(options: HelmetOptions): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let done = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers synchronously: its options must not depend on the request');
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

/**
 * The rest of the edge, set on the app before it listens: the one error shape (EdgeErrorFilter, ahead of every
 * other filter), the WebSocket adapter (ws) and the OpenAPI document at /docs.
 */
export function configureEdge(app: INestApplication): void {
  app.useGlobalFilters(new EdgeErrorFilter());
  app.useWebSocketAdapter(new WsAdapter(app));
  setUpOpenApi(app);
}
