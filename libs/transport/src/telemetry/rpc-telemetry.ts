import { Attributes, context, Context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { MethodRef } from '@app/contracts';
// Straight from the files, not the lib's index: these run on every call, and an index re-export is a getter.
import { logServerCall } from '@app/observability/logging/rpc-log';
import { recordClientCall, recordServerCall } from '@app/observability/metrics/rpc-metrics';
import { contextFromHeaders, headersOf, TraceHeaders } from '@app/observability/tracing/trace-context';
import { tracer, tracingActive, unrecordedChildOf, unrecordedUnder } from '@app/observability/tracing/tracer';
import type { Metadata } from '../metadata/metadata';
import { MetadataKey } from '../metadata/metadata';
import { RpcError } from '../status/rpc-error';

/** The span name and attributes of one method on one transport, made once (OpenTelemetry RPC conventions). */
interface MethodTelemetry {
  spanName: string;
  attributes: Attributes;
}

const byMethod = new WeakMap<MethodRef, Map<string, MethodTelemetry>>();
const unknownMethods = new Map<string, MethodTelemetry>();

function telemetryOf(method: MethodRef | undefined, pattern: string, transport: string): MethodTelemetry {
  if (method === undefined) {
    let unknown = unknownMethods.get(transport);
    if (!unknown) {
      unknown = { spanName: 'unknown method', attributes: { 'rpc.system': rpcSystem(transport), 'switchboard.transport': transport } };
      unknownMethods.set(transport, unknown);
    }
    return unknown;
  }
  let perTransport = byMethod.get(method);
  if (!perTransport) byMethod.set(method, (perTransport = new Map()));
  let telemetry = perTransport.get(transport);
  if (!telemetry) {
    const path = method.grpcPath.slice(1); // inventory.v1.Inventory/Reserve
    const slash = path.indexOf('/');
    telemetry = {
      spanName: path,
      attributes: {
        'rpc.system': rpcSystem(transport),
        'rpc.service': path.slice(0, slash),
        'rpc.method': path.slice(slash + 1),
        'switchboard.method': pattern,
        'switchboard.transport': transport,
      },
    };
    perTransport.set(transport, telemetry);
  }
  return telemetry;
}

const rpcSystem = (transport: string) => (transport === 'grpc' ? 'grpc' : 'switchboard');

function codeNameOf(error: unknown): string {
  return RpcError.from(error).codeName;
}

/**
 * Runs an outgoing call (all its retries) inside a CLIENT span, puts the span's W3C trace context into the call's
 * metadata for the server, and records the call's duration and status code. The parent is the span active here
 * (the handler's server or consumer span), else the trace context the metadata already carries.
 */
export async function observeClientCall(
  method: MethodRef,
  transport: string,
  caller: string,
  metadata: Metadata,
  send: () => Promise<unknown>,
): Promise<unknown> {
  if (!tracingActive()) return measuredClientCall(method, transport, caller, send);
  const active = context.active();
  const activeSpan = trace.getSpan(active);
  // Under an unsampled parent the call makes no span: it carries the parent's trace context on, whether the parent
  // came in the metadata or is this process's own unsampled span (an HTTP request's).
  if (activeSpan === undefined ? unrecordedUnder(metadata[MetadataKey.traceparent]) : unrecordedChildOf(activeSpan)) {
    if (activeSpan !== undefined) setTraceHeaders(metadata, headersOf(activeSpan));
    return measuredClientCall(method, transport, caller, send);
  }
  const telemetry = telemetryOf(method, method.pattern, transport);
  const parent = activeSpan ? active : contextFromHeaders(metadata[MetadataKey.traceparent], metadata[MetadataKey.tracestate], active);
  const span = tracer.startSpan(telemetry.spanName, { kind: SpanKind.CLIENT, attributes: telemetry.attributes }, parent);
  setTraceHeaders(metadata, headersOf(span));
  const started = performance.now();
  let code = 'OK';
  try {
    return await send();
  } catch (error) {
    code = codeNameOf(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.setAttribute('rpc.response.status_code', code);
    span.end();
    recordClientCall(caller, method.service, method.pattern, transport, code, (performance.now() - started) / 1000);
  }
}

/** Puts a span's trace context into the call's metadata for the next hop (nothing when it has none). */
function setTraceHeaders(metadata: Metadata, headers: TraceHeaders | undefined): void {
  if (!headers) return;
  metadata[MetadataKey.traceparent] = headers.traceparent;
  if (headers.tracestate) metadata[MetadataKey.tracestate] = headers.tracestate;
  else delete metadata[MetadataKey.tracestate];
}

/** The call without a span (tracing off, or an unsampled parent): its duration and status code only. */
async function measuredClientCall(method: MethodRef, transport: string, caller: string, send: () => Promise<unknown>): Promise<unknown> {
  const started = performance.now();
  let code = 'OK';
  try {
    return await send();
  } catch (error) {
    code = codeNameOf(error);
    throw error;
  } finally {
    recordClientCall(caller, method.service, method.pattern, transport, code, (performance.now() - started) / 1000);
  }
}

/** An incoming call being observed: its SERVER span (when tracing is on) and when it started. */
export interface ServerCallRecord {
  started: number;
  span?: Span;
  /**
   * The context to run the handler in: set only when the span records. An unrecorded span needs none: the calls
   * the handler makes carry on the caller's trace context from the metadata, so the trace stays whole.
   */
  context?: Context;
}

/** Starts observing an incoming call: a SERVER span whose parent is the caller's span (from the metadata). */
export function beginServerCall(method: MethodRef | undefined, pattern: string, transport: string, metadata: Metadata): ServerCallRecord {
  const started = performance.now();
  if (unrecordedUnder(metadata[MetadataKey.traceparent])) return { started };
  const telemetry = telemetryOf(method, pattern, transport);
  const parent = contextFromHeaders(metadata[MetadataKey.traceparent], metadata[MetadataKey.tracestate]);
  const span = tracer.startSpan(telemetry.spanName, { kind: SpanKind.SERVER, attributes: telemetry.attributes }, parent);
  return { started, span, context: span.isRecording() ? trace.setSpan(parent, span) : undefined };
}

/** Ends an incoming call's observation: its span, duration and status code (metrics), and its log line. */
export function endServerCall(
  record: ServerCallRecord,
  method: MethodRef | undefined,
  transport: string,
  metadata: Metadata,
  error?: unknown,
): void {
  const code = error === undefined ? 'OK' : codeNameOf(error);
  const durationMs = performance.now() - record.started;
  const caller = metadata[MetadataKey.caller] ?? 'unknown';
  const service = method?.service ?? 'unknown';
  const name = method?.pattern ?? 'unknown';
  const { span } = record;
  // Without a span of its own, the line names the caller's trace (read only if the line is written).
  const traced = span ? span.spanContext() : metadata[MetadataKey.traceparent];
  logServerCall(service, name, caller, transport, code, durationMs, metadata[MetadataKey.correlationId], traced);
  if (span) {
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    span.setAttribute('rpc.response.status_code', code);
    span.end();
  }
  recordServerCall(caller, service, name, transport, code, durationMs / 1000);
}
