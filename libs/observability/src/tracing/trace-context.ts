import { context, Context, createTraceState, isSpanContextValid, ROOT_CONTEXT, Span, SpanContext, trace, TraceFlags } from '@opentelemetry/api';

/** W3C trace context as it travels in call and event metadata (`traceparent`, `tracestate`). */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>`: the W3C `traceparent` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The span context a `traceparent` (and `tracestate`) names, or undefined for a missing or malformed one. */
export function parseTraceparent(traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  if (traceparent === undefined) return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED,
    isRemote: true,
    traceState: tracestate ? createTraceState(tracestate) : undefined,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** A context whose parent is the remote span the metadata names; `fallback` when it names none. */
export function contextFromHeaders(traceparent: string | undefined, tracestate?: string, fallback: Context = ROOT_CONTEXT): Context {
  const parent = parseTraceparent(traceparent, tracestate);
  return parent ? trace.setSpanContext(fallback, parent) : fallback;
}

/** The trace headers of a span (to send to the next hop), or undefined when it has no valid context. */
export function headersOf(span: Span | undefined): TraceHeaders | undefined {
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent: formatTraceparent(spanContext), tracestate } : { traceparent: formatTraceparent(spanContext) };
}

/** The trace headers of the span active here (a server, consumer or HTTP span), if tracing is on and one is. */
export function activeTraceHeaders(): TraceHeaders | undefined {
  return headersOf(trace.getSpan(context.active()));
}
