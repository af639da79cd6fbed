import { envInt, TransportConfig } from '@app/transport';
import { DISCOVERY_MODES, DiscoveryMode } from './service-registry';

export interface DiscoveryConfig {
  mode: DiscoveryMode;
  /** An instance that has not heartbeaten for this long leaves the registry. */
  ttlMs: number;
  /** NATS: on how many servers the registry bucket is kept when it is created (DISCOVERY_REPLICAS; 3 on a cluster). */
  replicas: number;
  heartbeatMs: number;
  /** host:port other instances reach this one at (tcp/grpc), when the listen address is not it (0.0.0.0). */
  advertise?: string;
  zone?: string;
  /** DNS mode: `_rpc._tcp.{service}.ns.svc.cluster.local` (SRV) or `{service}-headless:50052` (A/AAAA). */
  dnsName: string;
  dnsRefreshMs: number;
  /** DNS mode: ask these servers (`host[:port]`, comma-separated) instead of the system's. */
  dnsServers?: string[];
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** Reads the discovery settings; a bad value stops the app with a message naming the variable. */
export function loadDiscoveryConfig(env: NodeJS.ProcessEnv = process.env): DiscoveryConfig {
  const mode = (env.DISCOVERY || 'static').toLowerCase();
  if (!(DISCOVERY_MODES as readonly string[]).includes(mode)) {
    throw new Error(`DISCOVERY must be one of ${DISCOVERY_MODES.join(', ')}, got "${env.DISCOVERY}"`);
  }
  const ttlMs = envInt(env, 'DISCOVERY_TTL_MS', 10_000, 500, 3_600_000);
  const heartbeatMs = envInt(env, 'DISCOVERY_HEARTBEAT_MS', Math.floor(ttlMs / 3), 100, 3_600_000);
  if (heartbeatMs * 2 > ttlMs) {
    throw new Error(`DISCOVERY_HEARTBEAT_MS (${heartbeatMs}) must be at most half of DISCOVERY_TTL_MS (${ttlMs}), so one lost beat is survived`);
  }
  const advertise = env.RPC_ADVERTISE || undefined;
  if (advertise && !HOST_PORT.test(advertise)) throw new Error(`RPC_ADVERTISE must be host:port, got "${advertise}"`);
  const zone = env.INSTANCE_ZONE || undefined;
  if (zone && !/^[A-Za-z0-9._-]{1,64}$/.test(zone)) throw new Error(`INSTANCE_ZONE must be 1-64 letters, digits, . _ -, got "${zone}"`);
  const dnsName = env.DISCOVERY_DNS_NAME || '_rpc._tcp.{service}';
  if (!/^[A-Za-z0-9._{}-]+(:\d{1,5})?$/.test(dnsName) || (!dnsName.startsWith('_') && !/:\d{1,5}$/.test(dnsName))) {
    throw new Error(`DISCOVERY_DNS_NAME must be an SRV name (_rpc._tcp.{service}...) or host:port, got "${dnsName}"`);
  }
  const dnsServers = env.DISCOVERY_DNS_SERVERS?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    mode: mode as DiscoveryMode,
    ttlMs,
    replicas: envInt(env, 'DISCOVERY_REPLICAS', 1, 1, 5),
    heartbeatMs,
    advertise,
    zone,
    dnsName,
    dnsRefreshMs: envInt(env, 'DISCOVERY_DNS_REFRESH_MS', 5000, 100, 3_600_000),
    dnsServers: dnsServers?.length ? dnsServers : undefined,
  };
}

/** Settings a registry takes from the transport: the brokers, the namespace, this instance's id, TLS. */
export type RegistryTransportConfig = Pick<TransportConfig, 'natsUrl' | 'redisUrl' | 'redisSentinel' | 'namespace' | 'instanceId' | 'tls' | 'addresses'> &
  Partial<Pick<TransportConfig, 'redisCommandTimeoutMs'>>;
