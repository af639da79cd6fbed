import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { MemoryBroker } from '../memory/memory-broker';
import { loadTlsConfig, TransportTls } from '../tls/tls-config';
import type { BalancingOptions } from '../balancer/balancer';
import { PICKERS, PickerName } from '../balancer/picker';
import { envInt } from './env-int';
import type { RedisSentinel } from '../redis/redis-connection';

export const TRANSPORTS = ['memory', 'tcp', 'nats', 'redis', 'grpc'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Default host:port of each service for the point-to-point transports (tcp, grpc). */
export const DEFAULT_SERVICE_PORTS: Record<string, number> = {
  orders: 50051,
  inventory: 50052,
  payments: 50053,
  notifications: 50054,
};

export interface TransportConfig {
  transport: TransportName;
  /** Prefix of every NATS subject and Redis key, so several systems (or test runs) share a broker. */
  namespace: string;
  natsUrl: string;
  redisUrl: string;
  /**
   * Redis behind Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_SENTINEL_PASSWORD): every Redis connection
   * asks the sentinels where the master is and follows it on failover; REDIS_URL then only gives the scheme
   * (rediss:// for TLS), the password and the database, its host and port are not used.
   */
  redisSentinel?: RedisSentinel;
  /** Default timeout of every call; each call can override it. */
  timeoutMs: number;
  /** Largest request or response payload, measured as its JSON encoding, on every transport. */
  maxPayloadBytes: number;
  /** Where each service listens on tcp/grpc: one or more host:port (several = client-side round robin). */
  addresses: Record<string, string[]>;
  /** Client-side load balancing on tcp/grpc: the picker and outlier ejection. */
  balancing: BalancingOptions;
  /** This instance's listen address on tcp/grpc, when it is not the first address of its service. */
  listen?: string;
  instanceId: string;
  /**
   * TLS material (TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE): when set, gRPC and TCP use mutual TLS (a client
   * certificate from the CA required), and NATS and Redis connections use TLS with this certificate.
   */
  tls?: TransportTls;
  /** Redis: coalesce the commands sent in one event-loop turn into one socket write (REDIS_BATCH_WRITES). */
  redisBatchWrites: boolean;
  /**
   * Redis: how long a non-blocking command (a call's request, an idempotency key, a rate-limit count) waits for its
   * answer before it fails (REDIS_COMMAND_TIMEOUT_MS, default 1000): a frozen Redis cannot hold a request past it.
   */
  redisCommandTimeoutMs: number;
  /** gRPC: channels (each its own HTTP/2 connection) a client keeps to each instance, used in turn (GRPC_CHANNELS). */
  grpcChannels: number;
  /** Only for `memory`: the in-process broker (one per process by default). */
  memoryBroker?: MemoryBroker;
}


/** A yes/no setting: `true`/`1` or `false`/`0`; `fallback` when unset. */
function envBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

function addressList(name: string, raw: string): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const address of list) {
    if (!ADDRESS.test(address)) throw new Error(`${name} must be host:port[,host:port...], got "${raw}"`);
  }
  if (list.length === 0) throw new Error(`${name} is empty`);
  return list;
}

/** REDIS_SENTINELS=host:port,host:port (+ REDIS_SENTINEL_NAME, default mymaster; REDIS_SENTINEL_PASSWORD); none: undefined. */
function loadRedisSentinel(env: NodeJS.ProcessEnv): RedisSentinel | undefined {
  if (!env.REDIS_SENTINELS) return undefined;
  const sentinels = addressList('REDIS_SENTINELS', env.REDIS_SENTINELS).map((address) => {
    const at = address.lastIndexOf(':');
    return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
  });
  const name = env.REDIS_SENTINEL_NAME || 'mymaster';
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name)) throw new Error(`REDIS_SENTINEL_NAME must be letters, digits, . _ or -, got "${name}"`);
  return { sentinels, name, ...(env.REDIS_SENTINEL_PASSWORD ? { password: env.REDIS_SENTINEL_PASSWORD } : {}) };
}

/**
 * Reads the transport settings from the environment; a bad value stops the app with a clear message. `service`
 * (this app's service name) replaces `{service}` in the TLS file paths.
 */
export function loadTransportConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<TransportConfig> = {},
  service?: string,
): TransportConfig {
  const transport = (env.TRANSPORT || 'memory').toLowerCase();
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new Error(`TRANSPORT must be one of ${TRANSPORTS.join(', ')}, got "${env.TRANSPORT}"`);
  }
  const namespace = env.SWITCHBOARD_NAMESPACE || 'sb';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(namespace)) {
    throw new Error(`SWITCHBOARD_NAMESPACE must be 1-64 letters, digits, _ or -, got "${namespace}"`);
  }
  const addresses: Record<string, string[]> = {};
  for (const [service, port] of Object.entries(DEFAULT_SERVICE_PORTS)) {
    const name = `${service.toUpperCase()}_ADDR`;
    addresses[service] = env[name] ? addressList(name, env[name]) : [`127.0.0.1:${port}`];
  }
  const picker = (env.LB_POLICY || 'least_outstanding').toLowerCase();
  if (!(PICKERS as readonly string[]).includes(picker)) {
    throw new Error(`LB_POLICY must be one of ${PICKERS.join(', ')}, got "${env.LB_POLICY}"`);
  }
  const config: TransportConfig = {
    transport: transport as TransportName,
    namespace,
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    redisSentinel: loadRedisSentinel(env),
    timeoutMs: envInt(env, 'RPC_TIMEOUT_MS', 5000, 1, 600_000),
    maxPayloadBytes: envInt(env, 'MAX_PAYLOAD_BYTES', 1_000_000, 1024, 64 * 1024 * 1024),
    addresses,
    balancing: {
      picker: picker as PickerName,
      outlier: {
        consecutiveFailures: envInt(env, 'OUTLIER_CONSECUTIVE_FAILURES', 5, 1, 1000),
        baseEjectionMs: envInt(env, 'OUTLIER_BASE_EJECTION_MS', 1000, 1, 3_600_000),
        maxEjectionMs: envInt(env, 'OUTLIER_MAX_EJECTION_MS', 30_000, 1, 3_600_000),
      },
      slowStartMs: envInt(env, 'LB_SLOW_START_MS', 3000, 0, 3_600_000),
    },
    redisBatchWrites: envBool(env, 'REDIS_BATCH_WRITES', true),
    redisCommandTimeoutMs: envInt(env, 'REDIS_COMMAND_TIMEOUT_MS', 1000, 1, 600_000),
    grpcChannels: envInt(env, 'GRPC_CHANNELS', 4, 1, 64),
    listen: env.RPC_LISTEN ? addressList('RPC_LISTEN', env.RPC_LISTEN)[0] : undefined,
    instanceId: env.INSTANCE_ID || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    tls: 'tls' in overrides ? undefined : loadTlsConfig(env, service),
  };
  return { ...config, ...overrides, addresses: { ...config.addresses, ...overrides.addresses } };
}
