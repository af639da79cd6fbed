import { Context, context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordHttpRequest } from '../metrics/http-metrics';
import { contextFromHeaders } from '../tracing/trace-context';
import { tracer, tracingActive } from '../tracing/tracer';

/** Where the request's span context is kept, for `httpSpanContext` and the request log line. */
export const HTTP_TRACE_CONTEXT = Symbol('switchboard:http-trace-context');

/** Paths scraped or probed all the time: measured, not traced. */
const UNTRACED = /^\/(metrics|health)(\/|$)/;

/** What the middleware reads of an Express request. */
interface HttpRequest extends IncomingMessage {
  method: string;
  path: string;
  route?: { path?: string };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Express middleware of every app's HTTP side: a SERVER span per request (`POST /v1/orders`, child of the client's
 * W3C `traceparent` if it sent one) and `switchboard_http_server_duration_seconds` by route and status. The route
 * is the matched route's pattern (`/v1/orders/:id`), `unmatched` otherwise, so the labels stay bounded.
 */
export function httpTelemetry(service: string) {
  return (req: HttpRequest, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    let span: Span | undefined;
    let spanContext: Context | undefined;
    if (tracingActive() && !UNTRACED.test(req.path)) {
      const parent = contextFromHeaders(headerValue(req.headers.traceparent), headerValue(req.headers.tracestate));
      span = tracer.startSpan(req.method, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.path, 'switchboard.service': service },
      }, parent);
      spanContext = trace.setSpan(parent, span);
      (req as unknown as Record<symbol, Context>)[HTTP_TRACE_CONTEXT] = spanContext;
    }
    res.once('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      recordHttpRequest(service, req.method, route, res.statusCode, (performance.now() - started) / 1000);
      if (span) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
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
