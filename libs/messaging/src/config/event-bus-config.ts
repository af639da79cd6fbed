import { envInt, RedisSentinel, TransportConfig, TransportTls } from '@app/transport';
import type { AckMode, EventBusName } from '../bus/event-bus';
import { EventFault, loadEventFault } from '../consumer/event-fault';

export const EVENT_BUSES: readonly EventBusName[] = ['memory', 'nats', 'redis'];

/** The default de-duplication window: JetStream's own default. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface EventBusConfig {
  bus: EventBusName;
  /** Prefix of streams, subjects, keys and consumer names (shared with the transport's namespace). */
  namespace: string;
  natsUrl: string;
  redisUrl: string;
  /** Redis behind Sentinel (the transport's REDIS_SENTINELS settings). */
  redisSentinel?: RedisSentinel;
  /** Deliveries of one event before it is given up as a dead letter. */
  maxDeliveries: number;
  /** First retry delay; each further retry doubles it, up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Events one instance handles at once. */
  concurrency: number;
  /**
   * The ack mode of subscriptions that do not choose one (the `@OnEvent` consumer group among them); unset:
   * `confirmed`. Set `plain` only in a service whose every event handler applies its effect through the Inbox.
   */
  ackMode?: AckMode;
  /**
   * Redis: how long a non-blocking command of the bus (a publish, an XACK, a claim) waits for its answer before it
   * fails (the transport's REDIS_COMMAND_TIMEOUT_MS): a publish is then retried by the outbox, an ack redelivered.
   */
  redisCommandTimeoutMs?: number;
  /** How long the bus remembers an event id to drop a second publish of it (beyond it, consumers' inboxes do). */
  duplicateWindowMs: number;
  /**
   * NATS: on how many servers the event stream and its consumers are kept (EVENT_STREAM_REPLICAS, default 1; 3 on a
   * 3-node cluster, so losing a node loses no event and stops no consumer). Applies when the stream is created.
   */
  streamReplicas: number;
  /**
   * Redis: a publish resolves only once this many replicas have the event (WAIT after the XADD), so a failover to
   * a replica cannot lose an event the outbox counts as sent (REDIS_WAIT_REPLICAS, default 0: the master's word).
   * Fewer replicas within `redisWaitTimeoutMs` (REDIS_WAIT_TIMEOUT_MS, default 1000): the publish fails with
   * UNAVAILABLE and the caller retries (the retry is de-duplicated if the first one did arrive).
   */
  redisWaitReplicas?: number;
  redisWaitTimeoutMs?: number;
  instanceId: string;
  /** The transport's TLS material (TLS_* settings): the bus's NATS and Redis connections use TLS with it. */
  tls?: TransportTls;
  /** A poison event made to order, for fault tests (EVENT_FAULT_INJECTION). */
  fault?: EventFault;
  /** Only for `memory`: the in-process broker (one per process by default). */
  memoryBroker?: import('../memory/memory-event-broker').MemoryEventBroker;
}


/**
 * `EVENT_BUS` (memory | nats | redis); by default the bus that goes with the transport: memory for memory, redis
 * for redis, nats otherwise.
 */
export function loadEventBusConfig(
  transport: TransportConfig,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<EventBusConfig> = {},
): EventBusConfig {
  const fallback: EventBusName = transport.transport === 'memory' ? 'memory' : transport.transport === 'redis' ? 'redis' : 'nats';
  const bus = (env.EVENT_BUS || fallback).toLowerCase();
  if (!(EVENT_BUSES as readonly string[]).includes(bus)) {
    throw new Error(`EVENT_BUS must be one of ${EVENT_BUSES.join(', ')}, got "${env.EVENT_BUS}"`);
  }
  return {
    bus: bus as EventBusName,
    namespace: transport.namespace,
    natsUrl: transport.natsUrl,
    redisUrl: transport.redisUrl,
    redisCommandTimeoutMs: transport.redisCommandTimeoutMs,
    redisSentinel: transport.redisSentinel,
    maxDeliveries: envInt(env, 'EVENT_MAX_DELIVERIES', 5, 1, 1000),
    retryBaseDelayMs: envInt(env, 'EVENT_RETRY_DELAY_MS', 500, 1, 3_600_000),
    retryMaxDelayMs: envInt(env, 'EVENT_RETRY_MAX_DELAY_MS', 30_000, 1, 86_400_000),
    concurrency: envInt(env, 'EVENT_CONCURRENCY', 16, 1, 1024),
    duplicateWindowMs: envInt(env, 'EVENT_DUPLICATE_WINDOW_MS', DUPLICATE_WINDOW_MS, 1000, 86_400_000),
    streamReplicas: envInt(env, 'EVENT_STREAM_REPLICAS', 1, 1, 5),
    redisWaitReplicas: envInt(env, 'REDIS_WAIT_REPLICAS', 0, 0, 16),
    redisWaitTimeoutMs: envInt(env, 'REDIS_WAIT_TIMEOUT_MS', 1000, 1, 600_000),
    fault: loadEventFault(env),
    instanceId: transport.instanceId,
    tls: transport.tls,
    ...overrides,
  };
}

/** Exponential backoff: base, 2x base, 4x base ... capped. */
export const retryDelay = (config: Pick<EventBusConfig, 'retryBaseDelayMs' | 'retryMaxDelayMs'>) => (deliveryCount: number) =>
  Math.min(config.retryMaxDelayMs, config.retryBaseDelayMs * 2 ** Math.max(0, deliveryCount - 1));
