import { HttpException, Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { RpcError, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { IdempotencyStore, MemoryIdempotencyStore, StoredResponse } from './idempotency-store';
import { RedisIdempotencyStore } from './redis-idempotency-store';

export const IDEMPOTENCY_STORE = Symbol('gateway:idempotency-store');

/** 409: the first request with this key is still running. The answer carries `Retry-After: 1`. */
export class IdempotencyKeyInUse extends HttpException {
  readonly retryAfterSeconds = 1;

  constructor() {
    super(
      {
        statusCode: 409,
        error: 'IDEMPOTENCY_KEY_IN_USE',
        message: 'a request with this Idempotency-Key is still in progress; retry later',
      },
      409,
    );
  }
}

/**
 * An Idempotency-Key: 1-255 printable ASCII characters (space to `~`), not starting or ending with a space (HTTP
 * trims those anyway), as the call metadata carries it to the orders service.
 */
const KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** The header's value, or undefined when the request has none; 400 (INVALID_ARGUMENT) when it is malformed. */
export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (KEY.test(raw)) return raw;
  const message = 'invalid Idempotency-Key: 1-255 printable ASCII characters';
  throw new RpcError(StatusCode.INVALID_ARGUMENT, message, { issues: [{ path: 'Idempotency-Key', message }] });
}

/** JSON with every object's keys sorted, so two bodies that differ only in key order are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the canonical JSON of a request body. */
export const fingerprintOf = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');

/** The in-flight lock: long enough for any call of the gateway (twice its RPC timeout, at least 30 s), at most the TTL. */
export const lockMsFor = (ttlMs: number, rpcTimeoutMs: number) => Math.min(ttlMs, Math.max(30_000, 2 * rpcTimeoutMs));

export interface IdempotentResult {
  response: StoredResponse;
  /** True when the response is the stored one of an earlier request (the request was not run again). */
  replayed: boolean;
}

/**
 * Stripe-style idempotency keys for the gateway's unsafe routes, scoped per customer (the same key from two
 * customers is two keys), kept IDEMPOTENCY_TTL_SECONDS (24 h by default) in the IDEMPOTENCY_STORE:
 *
 * - a new key: the request runs; its response is stored and replayed to every later request with the key;
 * - the same key with the same body (SHA-256 of its canonical JSON): the stored status, headers and body,
 *   with `Idempotent-Replayed: true`, and nothing runs;
 * - the same key with another body: 422 IDEMPOTENCY_KEY_REUSED (whether the first is finished or in flight);
 * - the same key while the first request with it is still in flight: 409 IDEMPOTENCY_KEY_IN_USE, `Retry-After: 1`.
 *
 * Only a successful (2xx) response is stored. Every failure releases the key, so a retry with it runs again:
 * - 5xx, UNAVAILABLE, DEADLINE_EXCEEDED, an overloaded target: transient, and the retry is what the key is for.
 *   Where the first attempt may still have created the order (a timeout after orders committed), orders itself
 *   returns the order it already holds for this customer and key, so the retry creates nothing new.
 * - 4xx: a body that fails validation never reaches this (it is refused with 400 before the key is claimed, as
 *   Stripe saves nothing for a request that failed parameter validation); a 4xx from the orders service also
 *   released, unlike Stripe, because a refused PlaceOrder created nothing (the order and its event are one SQLite
 *   transaction), so running the retry again is harmless and answers the same.
 * The key's store failing (Redis down) before the request ran is 503; after it ran, the response is still sent
 * (the key then stays in flight until its lock expires, and orders de-duplicates a retry).
 */
@Injectable()
export class IdempotencyKeys {
  private readonly log = new Logger('IdempotencyKeys');
  private readonly ttlMs: number;
  private readonly lockMs: number;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
  ) {
    this.ttlMs = config.idempotency.ttlSeconds * 1000;
    this.lockMs = lockMsFor(this.ttlMs, transport.timeoutMs);
  }

  /** Runs `execute` once per customer, key and body, as described above. */
  async run(customerId: string, key: string, body: unknown, execute: () => Promise<StoredResponse>): Promise<IdempotentResult> {
    const storeKey = `${this.transport.namespace}:idempotency:${customerId}:${key}`;
    const fingerprint = fingerprintOf(body);
    const claim = randomUUID();
    let claimed;
    try {
      claimed = await this.store.claim(storeKey, { fingerprint, claim }, this.lockMs);
    } catch (error) {
      this.log.warn(`idempotency store unavailable: ${error instanceof Error ? error.message : String(error)}`);
      throw new RpcError(StatusCode.UNAVAILABLE, 'idempotency keys are unavailable; retry later');
    }
    if (!claimed.claimed) {
      const { existing } = claimed;
      if (existing.fingerprint !== fingerprint) {
        throw new HttpException(
          {
            statusCode: 422,
            error: 'IDEMPOTENCY_KEY_REUSED',
            message: 'this Idempotency-Key was already used with a different request body; use a new key for a new request',
          },
          422,
        );
      }
      if (existing.response) return { response: existing.response, replayed: true };
      throw new IdempotencyKeyInUse();
    }

    let response: StoredResponse;
    try {
      response = await execute();
    } catch (error) {
      await this.store.release(storeKey, claim).catch((e: Error) => this.log.warn(`could not release an idempotency key: ${e.message}`));
      throw error;
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await this.store
        .complete(storeKey, claim, { fingerprint, claim, response }, this.ttlMs)
        .catch((e: Error) => this.log.warn(`could not store an idempotent response: ${e.message}`));
    } else {
      await this.store.release(storeKey, claim).catch((e: Error) => this.log.warn(`could not release an idempotency key: ${e.message}`));
    }
    return { response, replayed: false };
  }
}

/** Closes the store with the app. */
@Injectable()
export class IdempotencyStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Redis when IDEMPOTENCY_STORE=redis, or by default with TRANSPORT=redis (REDIS_URL, keys under
 * `<SWITCHBOARD_NAMESPACE>:idempotency:`); memory otherwise, which only fits a single gateway instance.
 */
export function createIdempotencyStore(config: GatewayConfig, transport: TransportConfig): IdempotencyStore {
  const kind = config.idempotency.store ?? (transport.transport === 'redis' ? 'redis' : 'memory');
  const store =
    kind === 'redis'
      ? new RedisIdempotencyStore({ url: transport.redisUrl, tls: transport.tls, sentinel: transport.redisSentinel, commandTimeoutMs: transport.redisCommandTimeoutMs }, transport.instanceId)
      : new MemoryIdempotencyStore();
  new Logger('IdempotencyKeys').log(
    `idempotency keys in ${kind === 'redis' ? 'Redis' : 'memory (this instance only)'}, kept ${config.idempotency.ttlSeconds} s`,
  );
  return store;
}

export const IDEMPOTENCY_PROVIDERS: Provider[] = [
  { provide: IDEMPOTENCY_STORE, inject: [GATEWAY_CONFIG, TRANSPORT_CONFIG], useFactory: createIdempotencyStore },
  IdempotencyKeys,
  IdempotencyStoreLifecycle,
];
