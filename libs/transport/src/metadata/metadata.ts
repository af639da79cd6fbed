import { randomUUID } from 'node:crypto';
import { activeTraceHeaders } from '@app/observability/tracing';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';

/**
 * Call metadata travels beside the payload: NATS headers, gRPC Metadata, an envelope field on Redis, TCP and
 * memory. Keys are lower-case ASCII; values printable ASCII (what gRPC and NATS headers both carry).
 */
export type Metadata = Record<string, string>;

export const MetadataKey = {
  correlationId: 'x-correlation-id',
  /** Absolute deadline, milliseconds since the epoch. */
  deadline: 'x-deadline',
  /** `Bearer <service token>`: the slot for the caller's identity. */
  authorization: 'authorization',
  /** Name of the calling service (informational; identity is the token). */
  caller: 'x-caller',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  idempotencyKey: 'idempotency-key',
} as const;

export const MAX_METADATA_BYTES = 8 * 1024;
const KEY = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
/** Printable ASCII without leading/trailing spaces: NATS headers (and HTTP/2 for gRPC) trim them. */
const VALUE = {
  test: (value: string) =>
    PRINTABLE.test(value) && (value.length === 0 || (value.charCodeAt(0) !== 0x20 && value.charCodeAt(value.length - 1) !== 0x20)),
};

/** Throws INVALID_ARGUMENT for a bad key or value, RESOURCE_EXHAUSTED when the whole is over 8 KiB. */
export function validateMetadata(metadata: Metadata): void {
  let size = 0;
  for (const key in metadata) {
    const value = metadata[key];
    if (!KEY.test(key) || key.startsWith('grpc-') || key.startsWith('nats-')) {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid metadata key "${key.slice(0, 64)}"`);
    }
    if (typeof value !== 'string' || !VALUE.test(value)) {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `metadata "${key}" must be printable ASCII without leading or trailing spaces`);
    }
    size += key.length + value.length + 4;
  }
  if (size > MAX_METADATA_BYTES) {
    throw new RpcError(StatusCode.RESOURCE_EXHAUSTED, `metadata is ${size} bytes, over the ${MAX_METADATA_BYTES} limit`);
  }
}

/** Keeps only well-formed entries of metadata received from the wire (never throws). */
export function sanitizeMetadata(raw: unknown): Metadata {
  const out: Metadata = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string') acceptMetadataEntry(out, key, value);
  }
  return out;
}

/** Adds one entry received from the wire to `out` if it is well-formed (and the key not already there). */
export function acceptMetadataEntry(out: Metadata, key: string, value: string): void {
  if (out[key] === undefined && KEY.test(key) && VALUE.test(value)) out[key] = value;
}

/**
 * Metadata that flows from the call or event being handled (if any) to an outgoing call or event: the correlation
 * id (the given one, else the parent's, else a new one), the caller's name and the W3C trace context: the span
 * active here when tracing is on (the handler's server or consumer span), else the parent's, so a trace passes
 * through a process that does not record spans.
 */
export function propagatedMetadata(
  caller: string,
  parent: { correlationId?: string; traceparent?: string; tracestate?: string } | undefined,
  extra: Metadata = {},
  correlationId?: string,
): Metadata {
  const metadata: Metadata = { ...extra };
  metadata[MetadataKey.correlationId] = correlationId ?? parent?.correlationId ?? randomUUID();
  metadata[MetadataKey.caller] = caller;
  if (metadata[MetadataKey.traceparent] === undefined) {
    const trace = activeTraceHeaders() ?? parent;
    if (trace?.traceparent) {
      metadata[MetadataKey.traceparent] = trace.traceparent;
      if (trace.tracestate) metadata[MetadataKey.tracestate] = trace.tracestate;
    }
  }
  return metadata;
}
