import { Attributes, context, Context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { MethodRef } from '@app/contracts';
import { contextFromHeaders, headersOf, logServerCall, recordClientCall, recordServerCall, tracer, tracingActive } from '@app/observability';
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
  const telemetry = telemetryOf(method, method.pattern, transport);
  const active = context.active();
  const parent = trace.getSpan(active)
    ? active
    : contextFromHeaders(metadata[MetadataKey.traceparent], metadata[MetadataKey.tracestate], active);
  const span = tracer.startSpan(telemetry.spanName, { kind: SpanKind.CLIENT, attributes: telemetry.attributes }, parent);
  const headers = headersOf(span);
  if (headers) {
    metadata[MetadataKey.traceparent] = headers.traceparent;
    if (headers.tracestate) metadata[MetadataKey.tracestate] = headers.tracestate;
    else delete metadata[MetadataKey.tracestate];
  }
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

/** The call without a span (tracing off): its duration and status code only. */
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

/**
 * Runs an incoming call inside a SERVER span whose parent is the caller's span (from the metadata), active while
 * the handler runs so its own calls and events continue the trace; records the call's duration and status code
 * and logs one line for it.
 */
export async function observeServerCall<T>(
  method: MethodRef | undefined,
  pattern: string,
  transport: string,
  metadata: Metadata,
  handle: () => Promise<T>,
): Promise<T> {
  let span: Span | undefined;
  let spanContext: Context | undefined;
  if (tracingActive()) {
    const telemetry = telemetryOf(method, pattern, transport);
    const parent = contextFromHeaders(metadata[MetadataKey.traceparent], metadata[MetadataKey.tracestate]);
    span = tracer.startSpan(telemetry.spanName, { kind: SpanKind.SERVER, attributes: telemetry.attributes }, parent);
    spanContext = trace.setSpan(parent, span);
  }
  const started = performance.now();
  let code = 'OK';
  try {
    return await (spanContext ? context.with(spanContext, handle) : handle());
  } catch (error) {
    code = codeNameOf(error);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    const durationMs = performance.now() - started;
    const caller = metadata[MetadataKey.caller] ?? 'unknown';
    const service = method?.service ?? 'unknown';
    const name = method?.pattern ?? 'unknown';
    logServerCall(service, name, caller, transport, code, durationMs, metadata[MetadataKey.correlationId], span?.spanContext());
    if (span) {
      span.setAttribute('rpc.response.status_code', code);
      span.end();
    }
    recordServerCall(caller, service, name, transport, code, durationMs / 1000);
  }
}
