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

/** One request being measured: started by `startHttpRequest`, ended by `finishHttpRequest`. */
export interface HttpRequestTelemetry {
  readonly service: string;
  readonly method: string;
  readonly started: number;
  readonly quiet: boolean;
  readonly span: Span | undefined;
  /** The span's context, to run the route in (undefined when the request is not traced). */
  readonly context: Context | undefined;
}

/**
 * The platform-neutral half of the HTTP telemetry, called by the Express middleware (`httpTelemetry`) and the
 * Fastify hooks (`installFastifyHttpTelemetry`): a SERVER span per request (child of the client's W3C
 * `traceparent` if it sent one), unless the path is scraped or probed all the time.
 */
export function startHttpRequest(service: string, method: string, path: string, headers: IncomingMessage['headers']): HttpRequestTelemetry {
  const started = performance.now();
  const quiet = UNTRACED.test(path);
  let span: Span | undefined;
  let spanContext: Context | undefined;
  if (!quiet && tracingActive()) {
    const parent = contextFromHeaders(headerValue(headers.traceparent), headerValue(headers.tracestate));
    span = tracer.startSpan(method, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': path, 'switchboard.service': service },
    }, parent);
    spanContext = trace.setSpan(parent, span);
  }
  return { service, method, started, quiet, span, context: spanContext };
}

/**
 * Ends a request's telemetry once its response is finished: `switchboard_http_server_duration_seconds` by route
 * and status, the span named after the route, and the request's log line (`logHttpRequest`). `route` is the
 * matched route's pattern (`/v1/orders/:id`), `unmatched` otherwise, so the labels stay bounded.
 */
export function finishHttpRequest(
  request: HttpRequestTelemetry,
  route: string,
  statusCode: number,
  url: string,
  headers: IncomingMessage['headers'],
): void {
  const { service, method, span } = request;
  const elapsedMs = performance.now() - request.started;
  recordHttpRequest(service, method, route, statusCode, elapsedMs / 1000);
  if (span) {
    span.updateName(`${method} ${route}`);
    span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', statusCode);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  if (!request.quiet) {
    const correlation = headers['x-correlation-id'];
    logHttpRequest(service, method, url, statusCode, Math.round(elapsedMs),
      typeof correlation === 'string' ? correlation : undefined, span?.spanContext());
  }
}

/**
 * Express middleware of every app's HTTP side (Fastify: `installFastifyHttpTelemetry`): a SERVER span per request
 * (`POST /v1/orders`, child of the client's W3C `traceparent` if it sent one),
 * `switchboard_http_server_duration_seconds` by route and status, and the request's log line (`logHttpRequest`).
 * The route is the matched route's pattern (`/v1/orders/:id`), `unmatched` otherwise, so the labels stay bounded.
 * `/metrics` and `/health/*` are measured only.
 */
export function httpTelemetry(service: string) {
  return (req: HttpRequest, res: ServerResponse, next: () => void): void => {
    const request = startHttpRequest(service, req.method, req.path, req.headers);
    if (request.context) (req as unknown as Record<symbol, Context>)[HTTP_TRACE_CONTEXT] = request.context;
    res.once('finish', () => {
      finishHttpRequest(request, req.route?.path ?? 'unmatched', res.statusCode, req.originalUrl ?? req.url, req.headers);
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
