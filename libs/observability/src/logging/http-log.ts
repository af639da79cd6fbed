import { isSpanContextValid, SpanContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { unredactedLogger } from './process-logger';

/** By service: the apps of the all-in-one `system` app share the process. */
const loggers = new Map<string, Logger>();
let enabled = false;
let lastId = 0;

/** Turns the per-request lines on: done by ObservabilityModule, i.e. for apps started with startService. */
export function enableHttpLog(): void {
  enabled = true;
}

/**
 * One line per HTTP request handled (written by `httpTelemetry` when the response is finished), in the shape
 * pino-http gave it: `req` (`id`, `method`, `path` without the query string), `res.statusCode`, `responseTime` (ms),
 * `correlation_id` when the client sent one, `trace_id` and `span_id` of the request's span. The fields are chosen
 * here, never a header or a body, so the line skips pino's redaction (it has nothing to redact: `unredactedLogger`)
 * and the cost of a child logger per request.
 */
export function logHttpRequest(
  service: string,
  method: string,
  url: string,
  statusCode: number,
  responseTimeMs: number,
  correlationId: string | undefined,
  spanContext: SpanContext | undefined,
): void {
  if (!enabled) return;
  let logger = loggers.get(service);
  if (!logger) loggers.set(service, (logger = unredactedLogger().child({ service })));
  if (!logger.isLevelEnabled('info')) return;
  const query = url.indexOf('?');
  lastId = (lastId + 1) & 0x7fffffff;
  const line: Record<string, unknown> = {
    req: { id: lastId, method, path: query < 0 ? url : url.slice(0, query) },
    res: { statusCode },
    responseTime: responseTimeMs,
    correlation_id: correlationId,
  };
  if (spanContext && isSpanContextValid(spanContext)) {
    line.trace_id = spanContext.traceId;
    line.span_id = spanContext.spanId;
  }
  logger.info(line, statusCode >= 500 ? 'request errored' : 'request completed');
}
