import { AsyncLocalStorage } from 'node:async_hooks';
import type { MethodRef } from '@app/contracts';
import type { TransportName } from '../config/transport-config';
import { Metadata, MetadataKey } from './metadata';

const storage = new AsyncLocalStorage<CallContext>();

/**
 * What a server knows about the call it is handling, the same whatever the transport: the method, the metadata
 * that travelled out of band (correlation id, deadline, caller token, trace context, idempotency key).
 * Handlers receive it as their second argument (or with `@Call()`); code running inside a handler can reach it
 * with `CallContext.current()`, and outgoing calls made there inherit its correlation id and deadline.
 */
export class CallContext {
  private abort?: AbortController;
  /** The deadline read from the metadata (read once: the metadata does not change); null until read. */
  private parsedDeadline: number | undefined | null = null;

  constructor(
    readonly method: string,
    readonly transport: TransportName,
    readonly metadata: Readonly<Metadata>,
    /** The contract method, when the server knows it. */
    readonly methodRef?: MethodRef,
  ) {}

  static current(): CallContext | undefined {
    return storage.getStore();
  }

  run<T>(fn: () => T): T {
    return storage.run(this, fn);
  }

  /** The schema the request is validated against before the handler runs. */
  get requestSchema(): import('zod').ZodType | undefined {
    return this.methodRef?.request;
  }

  get correlationId(): string | undefined {
    return this.metadata[MetadataKey.correlationId];
  }

  /** Absolute deadline in epoch milliseconds, if the caller set one. */
  get deadline(): number | undefined {
    if (this.parsedDeadline === null) {
      const raw = this.metadata[MetadataKey.deadline];
      const value = raw === undefined ? NaN : Number(raw);
      this.parsedDeadline = Number.isFinite(value) ? value : undefined;
    }
    return this.parsedDeadline;
  }

  remainingMs(now = Date.now()): number {
    const deadline = this.deadline;
    return deadline === undefined ? Infinity : deadline - now;
  }

  /** The caller's bearer token, without the `Bearer ` prefix. */
  get callerToken(): string | undefined {
    const raw = this.metadata[MetadataKey.authorization];
    return raw?.startsWith('Bearer ') ? raw.slice(7) : undefined;
  }

  get caller(): string | undefined {
    return this.metadata[MetadataKey.caller];
  }

  get traceparent(): string | undefined {
    return this.metadata[MetadataKey.traceparent];
  }

  get tracestate(): string | undefined {
    return this.metadata[MetadataKey.tracestate];
  }

  get idempotencyKey(): string | undefined {
    return this.metadata[MetadataKey.idempotencyKey];
  }

  /** Aborts when the deadline passes, so a handler can stop work nobody waits for any more. */
  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      const remaining = this.remainingMs();
      if (remaining <= 0) this.abort.abort(new Error('deadline exceeded'));
      else if (Number.isFinite(remaining)) {
        setTimeout(() => this.abort?.abort(new Error('deadline exceeded')), remaining).unref();
      }
    }
    return this.abort.signal;
  }
}
