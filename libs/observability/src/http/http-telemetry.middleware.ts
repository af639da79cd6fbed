import { Context, context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logHttpRequest } from '../logging/http-log';
import { recordHttpRequest } from '../metrics/http-metrics';
import { contextFromHeaders } from '../tracing/trace-context';
import { tracer, tracingActive } from '../tracing/tracer';

/** Where the request's span context is kept, for `httpSpanContext` and the request log line. */
export const HTTP_TRACE_CONTEXT = Symbol('switchboard:http-trace-context');

/** Paths scraped or probed all the time: measured, not traced nor logged. */
const UNTRACED = /^\/(metrics|health)(\/|$)/;

/** What the middleware reads of an Express request. */
interface HttpRequest extends IncomingMessage {
  method: string;
  path: string;
  url: string;
  originalUrl?: string;
  route?: { path?: string };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Express middleware of every app's HTTP side: a SERVER span per request (`POST /v1/orders`, child of the client's
 * W3C `traceparent` if it sent one), `switchboard_http_server_duration_seconds` by route and status, and the
 * request's log line (`logHttpRequest`). The route is the matched route's pattern (`/v1/orders/:id`), `unmatched`
 * otherwise, so the labels stay bounded. `/metrics` and `/health/*` are measured only.
 */
export function httpTelemetry(service: string) {
  return (req: HttpRequest, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    const path = req.path;
    const quiet = UNTRACED.test(path);
    let span: Span | undefined;
    if (!quiet && tracingActive()) {
      const parent = contextFromHeaders(headerValue(req.headers.traceparent), headerValue(req.headers.tracestate));
      span = tracer.startSpan(req.method, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': path, 'switchboard.service': service },
      }, parent);
      (req as unknown as Record<symbol, Context>)[HTTP_TRACE_CONTEXT] = trace.setSpan(parent, span);
    }
    res.once('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      const elapsedMs = performance.now() - started;
      recordHttpRequest(service, req.method, route, res.statusCode, elapsedMs / 1000);
      if (span) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      if (!quiet) {
        const correlation = req.headers['x-correlation-id'];
        logHttpRequest(service, req.method, req.originalUrl ?? req.url, res.statusCode, Math.round(elapsedMs),
          typeof correlation === 'string' ? correlation : undefined, span?.spanContext());
      }
    });
    next();
  };
}

/**
 * Runs the rest of a request (guards, pipes, the route handler) inside its span, so the calls a handler makes are
 * children of it. A Nest middleware of ObservabilityModule: Nest installs module middleware after the body
 * parsers, which resume the request outside any middleware's async context. HTTP only: RPC and event handlers
 * pay nothing for it.
 */
export function httpSpanContext(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  const spanContext = (req as unknown as Record<symbol, Context | undefined>)[HTTP_TRACE_CONTEXT];
  if (spanContext) context.with(spanContext, next);
  else next();
}
