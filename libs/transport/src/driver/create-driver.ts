import type { TransportConfig, TransportName } from '../config/transport-config';
import { GrpcDriver } from '../grpc/grpc.driver';
import { MemoryDriver } from '../memory/memory.driver';
import { NatsDriver } from '../nats/nats.driver';
import { RedisDriver } from '../redis/redis.driver';
import { TcpDriver } from '../tcp/tcp.driver';
import type { TransportDriver } from './transport-driver';

/** One string picks the transport (Moleculer's transporter registry, in five lines). */
const DRIVERS: Record<TransportName, new (config: TransportConfig) => TransportDriver> = {
  memory: MemoryDriver,
  tcp: TcpDriver,
  nats: NatsDriver,
  redis: RedisDriver,
  grpc: GrpcDriver,
};

export function createDriver(config: TransportConfig): TransportDriver {
  return new DRIVERS[config.transport](config);
}
