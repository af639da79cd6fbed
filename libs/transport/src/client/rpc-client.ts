import type { MethodRef } from '@app/contracts';
import type { ClientTransport } from '../driver/transport-driver';
import { CallContext } from '../metadata/call-context';
import { Metadata, MetadataKey, propagatedMetadata, validateMetadata } from '../metadata/metadata';
import { deadlineExceeded, RpcError } from '../status/rpc-error';
import { observeClientCall } from '../telemetry/rpc-telemetry';
import { encodePayload } from '../wire/json-codec';
import { ClientCallHandler, ClientInterceptor, composeInterceptors } from './client-interceptor';

export interface CallOptions {
  /** Overrides the default timeout for this call. */
  timeoutMs?: number;
  /** An absolute deadline (epoch ms); the earlier of this, the timeout and an inherited deadline wins. */
  deadline?: number;
  correlationId?: string;
  idempotencyKey?: string;
  /** Extra metadata (lower-case ASCII keys and values). */
  metadata?: Metadata;
}

export interface RpcClientOptions {
  /** The calling service's name, sent as `x-caller`. */
  caller: string;
  timeoutMs: number;
  maxPayloadBytes: number;
  interceptors?: readonly ClientInterceptor[];
  /** Taken off an inherited deadline for the way back (default 10 ms). */
  deadlineMarginMs?: number;
  /** The transport's name, for metrics and spans (default `unknown`). */
  transportName?: string;
}

/**
 * The call path shared by every typed client: builds the metadata (correlation id, absolute deadline, caller,
 * idempotency key; inherited from the call being handled, if any), checks the payload size, runs the client
 * interceptor chain and hands the call to the transport, inside a client span (and its metrics).
 */
export class RpcClient {
  private readonly send: ClientCallHandler;

  constructor(
    private readonly transport: ClientTransport,
    private readonly options: RpcClientOptions,
  ) {
    validateMetadata({ [MetadataKey.caller]: options.caller });
    this.send = composeInterceptors(options.interceptors ?? [], (call) => transport.send(call));
  }

  async call(method: MethodRef, payload: unknown, options: CallOptions = {}): Promise<unknown> {
    const parent = CallContext.current();
    const now = Date.now();
    let deadline = options.deadline ?? now + (options.timeoutMs ?? this.options.timeoutMs);
    if (options.deadline !== undefined && options.timeoutMs !== undefined) {
      deadline = Math.min(deadline, now + options.timeoutMs);
    }
    // A nested call gets what is left of the caller's deadline, minus a margin to send the answer back.
    const inherited = parent?.deadline === undefined ? undefined : parent.deadline - (this.options.deadlineMarginMs ?? 10);
    if (inherited !== undefined && inherited < deadline) deadline = inherited;
    if (deadline <= now) throw deadlineExceeded(method.pattern);

    const metadata = propagatedMetadata(this.options.caller, parent, options.metadata, options.correlationId);
    metadata[MetadataKey.deadline] = String(deadline);
    if (options.idempotencyKey !== undefined) metadata[MetadataKey.idempotencyKey] = options.idempotencyKey;
    // What the caller passed is checked; the rest is well-formed by construction (a checked caller name, a number,
    // a UUID, or the handled call's metadata, sanitized when it arrived).
    if (options.metadata !== undefined || options.correlationId !== undefined || options.idempotencyKey !== undefined) {
      validateMetadata(metadata);
    }

    const body = encodePayload(payload, this.options.maxPayloadBytes);
    try {
      return await observeClientCall(method, this.options.transportName ?? 'unknown', this.options.caller, metadata, () =>
        this.send({ method, payload, body, metadata, deadline }),
      );
    } catch (error) {
      // The interceptor chain (retries included) is done with this failure: nobody upstream retries it again.
      throw error instanceof RpcError ? error.withNoRetry() : error;
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
