import { isSpanContextValid, SpanContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { LabelCache } from '../metrics/label-cache';
import { unredactedLogger } from './process-logger';

let logger: Logger | undefined;
let enabled = false;
/**
 * One child logger per (service, method, caller, transport, code): pino serialises a child's bindings once, so a
 * call's line only serialises what changes per call (duration, correlation, trace and span ids).
 */
const children = new LabelCache<Logger>(([service, method, caller, transport, code]) =>
  (logger ??= unredactedLogger().child({ kind: 'rpc' })).child({ service, method, caller, transport, code }),
);

/**
 * Turns the per-call lines on: done by ObservabilityModule, i.e. for apps started with startService. Servers made
 * without it (tests, embedded use) stay quiet.
 */
export function enableCallLog(): void {
  enabled = true;
}

/**
 * One line per call handled: service, method, caller, transport, code, duration, correlation id, trace and span
 * ids. These fields carry no secret (the caller is a service name, never its token), so the line skips redaction.
 */
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
  logger ??= unredactedLogger().child({ kind: 'rpc' });
  const expected = code === 'OK' || code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT' || code === 'FAILED_PRECONDITION' || code === 'ALREADY_EXISTS';
  if (!logger.isLevelEnabled(expected ? 'info' : 'warn')) return;
  const child = children.get(service, method, caller, transport, code);
  const duration_ms = Math.round(durationMs * 100) / 100;
  const line =
    spanContext && isSpanContextValid(spanContext)
      ? { duration_ms, correlation_id: correlationId, trace_id: spanContext.traceId, span_id: spanContext.spanId }
      : { duration_ms, correlation_id: correlationId };
  if (expected) child.info(line, 'rpc call');
  else child.warn(line, 'rpc call');
}
