import { isSpanContextValid, SpanContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { processLogger } from './process-logger';

let logger: Logger | undefined;
let enabled = false;

/**
 * Turns the per-call lines on: done by ObservabilityModule, i.e. for apps started with startService. Servers made
 * without it (tests, embedded use) stay quiet.
 */
export function enableCallLog(): void {
  enabled = true;
}

/** One line per call handled: service, method, caller, transport, code, duration, correlation id, trace and span ids. */
export function logServerCall(
  service: string,
  method: string,
  caller: string,
  transport: string,
  code: string,
  durationMs: number,
  correlationId: string | undefined,
  spanContext?: SpanContext,
): void {
  if (!enabled) return;
  logger ??= processLogger().child({ kind: 'rpc' });
  if (!logger.isLevelEnabled('info')) return;
  const line = { service, method, caller, transport, code, duration_ms: Math.round(durationMs * 100) / 100, correlation_id: correlationId };
  const traced = spanContext && isSpanContextValid(spanContext) ? { ...line, trace_id: spanContext.traceId, span_id: spanContext.spanId } : line;
  if (code === 'OK' || code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT' || code === 'FAILED_PRECONDITION' || code === 'ALREADY_EXISTS') {
    logger.info(traced, 'rpc call');
  } else {
    logger.warn(traced, 'rpc call');
  }
}
