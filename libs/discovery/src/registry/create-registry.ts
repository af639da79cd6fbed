import { DnsRegistry } from '../backends/dns.registry';
import { NatsKvRegistry } from '../backends/nats-kv.registry';
import { RedisRegistry } from '../backends/redis.registry';
import { StaticRegistry } from '../backends/static.registry';
import type { DiscoveryConfig, RegistryTransportConfig } from './discovery-config';
import type { ServiceRegistry } from './service-registry';

/** The registry `DISCOVERY` names: `static` (the address lists), `nats` (JetStream KV), `redis`, `dns`. */
export function createRegistry(config: DiscoveryConfig, transport: RegistryTransportConfig): ServiceRegistry {
  switch (config.mode) {
    case 'nats':
      return new NatsKvRegistry(config, transport);
    case 'redis':
      return new RedisRegistry(config, transport);
    case 'dns':
      return new DnsRegistry(config);
    case 'static':
      return new StaticRegistry(transport);
  }
}
