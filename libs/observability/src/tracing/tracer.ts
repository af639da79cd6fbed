import { trace, Tracer } from '@opentelemetry/api';

/**
 * Switchboard's tracer. It is a proxy until `startTracing` registers the SDK, and a no-op (non-recording spans, no
 * allocation of exporters) when tracing is off, so instrumented code needs no "is tracing on?" checks.
 */
export const tracer: Tracer = trace.getTracer('switchboard', '0.1.0');

let active = false;

/**
 * Whether this process records spans (the SDK was started, or a test registered a provider). Hot paths check it
 * to skip span work entirely when tracing is off; the trace context in metadata still passes through.
 */
export function tracingActive(): boolean {
  return active;
}

/** Called by `startTracing` (and test helpers) once a tracer provider is registered, and when it is removed. */
export function setTracingActive(value: boolean): void {
  active = value;
}
