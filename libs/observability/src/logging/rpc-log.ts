import { isSpanContextValid, SpanContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { LabelCache } from '../metrics/label-cache';
import { parseTraceparent } from '../tracing/trace-context';
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
 * The level of a call's line: `debug` for a call that succeeded (metrics count every call and traces sample them;
 * a line per call at 10,000 calls/s cost a fifth of a server's CPU), `info` for an answer that is the caller's
 * business (not found, invalid, precondition, already exists), `warn` for a failure on the server's side.
 */
function levelOf(code: string): 'debug' | 'info' | 'warn' {
  if (code === 'OK') return 'debug';
  return code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT' || code === 'FAILED_PRECONDITION' || code === 'ALREADY_EXISTS' ? 'info' : 'warn';
}

/**
 * One line per call handled (at the level `levelOf` says): service, method, caller, transport, code, duration, correlation id, trace and span
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
  /** The call's span, or the `traceparent` it arrived with when it has none. */
  trace?: SpanContext | string,
): void {
  if (!enabled) return;
  logger ??= unredactedLogger().child({ kind: 'rpc' });
  const level = levelOf(code);
  if (!logger.isLevelEnabled(level)) return;
  const child = children.get(service, method, caller, transport, code);
  const duration_ms = Math.round(durationMs * 100) / 100;
  const spanContext = typeof trace === 'string' ? parseTraceparent(trace) : trace;
  const line =
    spanContext && isSpanContextValid(spanContext)
      ? { duration_ms, correlation_id: correlationId, trace_id: spanContext.traceId, span_id: spanContext.spanId }
      : { duration_ms, correlation_id: correlationId };
  child[level](line, 'rpc call');
}
