import { envInt, TransportConfig, TransportTls } from '@app/transport';
import type { EventBusName } from '../bus/event-bus';

export const EVENT_BUSES: readonly EventBusName[] = ['memory', 'nats', 'redis'];

export interface EventBusConfig {
  bus: EventBusName;
  /** Prefix of streams, subjects, keys and consumer names (shared with the transport's namespace). */
  namespace: string;
  natsUrl: string;
  redisUrl: string;
  /** Deliveries of one event before it is given up as a dead letter. */
  maxDeliveries: number;
  /** First retry delay; each further retry doubles it, up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Events one instance handles at once. */
  concurrency: number;
  instanceId: string;
  /** The transport's TLS material (TLS_* settings): the bus's NATS and Redis connections use TLS with it. */
  tls?: TransportTls;
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
    maxDeliveries: envInt(env, 'EVENT_MAX_DELIVERIES', 5, 1, 1000),
    retryBaseDelayMs: envInt(env, 'EVENT_RETRY_DELAY_MS', 500, 1, 3_600_000),
    retryMaxDelayMs: envInt(env, 'EVENT_RETRY_MAX_DELAY_MS', 30_000, 1, 86_400_000),
    concurrency: envInt(env, 'EVENT_CONCURRENCY', 16, 1, 1024),
    instanceId: transport.instanceId,
    tls: transport.tls,
    ...overrides,
  };
}

/** Exponential backoff: base, 2x base, 4x base ... capped. */
export const retryDelay = (config: Pick<EventBusConfig, 'retryBaseDelayMs' | 'retryMaxDelayMs'>) => (deliveryCount: number) =>
  Math.min(config.retryMaxDelayMs, config.retryBaseDelayMs * 2 ** Math.max(0, deliveryCount - 1));
