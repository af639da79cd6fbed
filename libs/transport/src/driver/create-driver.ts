import type { TransportConfig, TransportName } from '../config/transport-config';
import { MemoryDriver } from '../memory/memory.driver';
import type { TransportDriver } from './transport-driver';

type DriverFactory = (config: TransportConfig) => TransportDriver;

/** One string picks the transport. Drivers load lazily so an app only loads the client library it uses. */
const FACTORIES: Record<TransportName, DriverFactory> = {
  memory: (config) => new MemoryDriver(config),
  tcp: (config) => new (require('../tcp/tcp.driver').TcpDriver)(config),
  nats: (config) => new (require('../nats/nats.driver').NatsDriver)(config),
  redis: (config) => new (require('../redis/redis.driver').RedisDriver)(config),
  grpc: (config) => new (require('../grpc/grpc.driver').GrpcDriver)(config),
};

export function createDriver(config: TransportConfig): TransportDriver {
  return FACTORIES[config.transport](config);
}
