import type { INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { WsAdapter } from '@nestjs/platform-ws';
import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/gateway-config';
import { setUpOpenApi } from '../docs/openapi';
import { EdgeErrorFilter } from './edge-error.filter';
import { REQUEST_ID_HEADER } from './request-id';

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

/** The security headers of every response (helmet), with a content security policy for the live page. */
export function edgeHelmetOptions(config: GatewayConfig): HelmetOptions {
  return {
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
  };
}

/** CORS for the configured origins (CORS_ORIGINS), or undefined: no CORS headers at all. */
export function edgeCorsOptions(config: GatewayConfig): CorsOptions | undefined {
  if (config.edge.corsOrigins.length === 0) return undefined;
  return {
    origin: [...config.edge.corsOrigins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
}

/**
 * helmet's headers, worked out once: with static options they do not depend on the request, so each request only
 * gets them set (not a chain of 13 middleware functions and a closure per request).
 */
export function securityHeaders(options: HelmetOptions): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const { set, removed } = securityHeaderList(options);
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

/** The headers helmet sets (and removes) with these options, worked out once. */
export function securityHeaderList(options: HelmetOptions): { set: [string, string][]; removed: string[] } {
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
  return { set, removed };
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
