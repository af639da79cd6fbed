import { Span, trace, TraceFlags, Tracer } from '@opentelemetry/api';

/**
 * Switchboard's tracer. It is a proxy until `startTracing` registers the SDK, and a no-op (non-recording spans, no
 * allocation of exporters) when tracing is off, so instrumented code needs no "is tracing on?" checks.
 */
export const tracer: Tracer = trace.getTracer('switchboard', '0.1.0');

let active = false;
let parentBased = false;

/**
 * Whether this process records spans (the SDK was started, or a test registered a provider). Hot paths check it
 * to skip span work entirely when tracing is off; the trace context in metadata still passes through.
 */
export function tracingActive(): boolean {
  return active;
}

/**
 * Called by `startTracing` (and test helpers) once a tracer provider is registered, and when it is removed.
 * `samplerFollowsParent`: the sampler is one of the `parentbased_*` ones (OpenTelemetry's default), so a span whose
 * parent was not sampled is never recorded.
 */
export function setTracingActive(value: boolean, samplerFollowsParent = false): void {
  active = value;
  parentBased = value && samplerFollowsParent;
}

/**
 * Whether a span under this remote parent would go unrecorded whatever it did: tracing is off, or the sampler
 * follows the parent and the parent (`traceparent` flags `00`) was not sampled. Hot paths then make no span at
 * all — the trace context still passes on unchanged — instead of a non-recording one with fresh ids.
 */
export function unrecordedUnder(traceparent: string | undefined): boolean {
  if (!active) return true;
  return parentBased && traceparent !== undefined && traceparent.length === 55 && traceparent.endsWith('-00');
}

/**
 * Whether a child of this span of this process would go unrecorded: tracing is off, or the sampler follows the
 * parent and this span was not sampled (an HTTP request's span at the production ratio, say). Then a call made
 * under it needs no span of its own: the parent's trace context goes on to the next hop.
 */
export function unrecordedChildOf(span: Span): boolean {
  if (!active) return true;
  return parentBased && !span.isRecording() && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0;
}
