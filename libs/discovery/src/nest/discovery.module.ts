import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ENDPOINT_SOURCE, INSTANCE_ANNOUNCER, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { createRegistry } from '../registry/create-registry';
import { DiscoveryConfig, loadDiscoveryConfig } from '../registry/discovery-config';
import type { ServiceRegistry } from '../registry/service-registry';

export const DISCOVERY_CONFIG = Symbol('switchboard:discovery-config');
export const SERVICE_REGISTRY = Symbol('switchboard:service-registry');

class RegistryLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SERVICE_REGISTRY) private readonly registry: ServiceRegistry) {}

  /** Runs after the RPC server closed (it withdrew this instance before draining). */
  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }
}

/**
 * The registry `DISCOVERY` names, for the whole app: it registers the instance once its RPC server listens (and
 * withdraws it when it closes), and tells the tcp/grpc clients where each service's instances are. Import it
 * beside `SwitchboardModule.forService`; without it, clients use the static address lists and nothing registers.
 */
@Module({})
export class DiscoveryModule {
  static forRoot(overrides: Partial<DiscoveryConfig> = {}): DynamicModule {
    return {
      module: DiscoveryModule,
      global: true,
      providers: [
        { provide: DISCOVERY_CONFIG, useFactory: () => ({ ...loadDiscoveryConfig(process.env), ...overrides }) },
        { provide: SERVICE_REGISTRY, inject: [DISCOVERY_CONFIG, TRANSPORT_CONFIG], useFactory: (config: DiscoveryConfig, transport: TransportConfig) => createRegistry(config, transport) },
        { provide: ENDPOINT_SOURCE, useExisting: SERVICE_REGISTRY },
        { provide: INSTANCE_ANNOUNCER, useExisting: SERVICE_REGISTRY },
        RegistryLifecycle,
      ],
      exports: [DISCOVERY_CONFIG, SERVICE_REGISTRY, ENDPOINT_SOURCE, INSTANCE_ANNOUNCER],
    };
  }
}
