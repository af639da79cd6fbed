import { trace, Tracer } from '@opentelemetry/api';

/**
 * Switchboard's tracer. It is a proxy until `startTracing` registers the SDK, and a no-op (non-recording spans, no
 * allocation of exporters) when tracing is off, so instrumented code needs no "is tracing on?" checks.
 */
export const tracer: Tracer = trace.getTracer('switchboard', '0.1.0');
