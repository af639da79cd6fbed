import type { EndpointSource } from '../balancer/service-endpoint';
import type { TransportConfig, TransportName } from '../config/transport-config';
import { GrpcDriver } from '../grpc/grpc.driver';
import { MemoryDriver } from '../memory/memory.driver';
import { NatsDriver } from '../nats/nats.driver';
import { RedisDriver } from '../redis/redis.driver';
import { TcpDriver } from '../tcp/tcp.driver';
import type { TransportDriver } from './transport-driver';

/** One string picks the transport (Moleculer's transporter registry, in five lines). */
const DRIVERS: Record<TransportName, new (config: TransportConfig, endpoints?: EndpointSource) => TransportDriver> = {
  memory: MemoryDriver,
  tcp: TcpDriver,
  nats: NatsDriver,
  redis: RedisDriver,
  grpc: GrpcDriver,
};

/**
 * The driver of the configured transport. `endpoints` (a registry) tells the point-to-point drivers (tcp, grpc)
 * where each service's instances are; without it they use the configured address lists. The brokered transports
 * need no addresses: the broker balances.
 */
export function createDriver(config: TransportConfig, endpoints?: EndpointSource): TransportDriver {
  return new DRIVERS[config.transport](config, endpoints);
}
