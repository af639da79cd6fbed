import { ServiceEndpoint, StaticEndpointSource } from '@app/transport';
import type { RegistryTransportConfig } from '../registry/discovery-config';
import type { InstanceRecord } from '../registry/instance-record';
import type { ServiceRegistry } from '../registry/service-registry';

/**
 * The static mode: each service's instances are its configured address list (`<SERVICE>_ADDR`, comma-separated),
 * versions not known (any version). Nothing registers: `announce` and `withdraw` do nothing.
 */
export class StaticRegistry implements ServiceRegistry {
  readonly mode = 'static' as const;
  private readonly source: StaticEndpointSource;

  constructor(transport: RegistryTransportConfig) {
    this.source = new StaticEndpointSource(transport.addresses);
  }

  async announce(): Promise<void> {}

  async withdraw(): Promise<void> {}

  watch(service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void): () => void {
    return this.source.watch(service, listener);
  }

  async list(service: string): Promise<InstanceRecord[]> {
    return this.source.endpoints(service).map((endpoint) => staticRecord(service, endpoint));
  }

  async close(): Promise<void> {}
}

const staticRecord = (service: string, endpoint: ServiceEndpoint): InstanceRecord => ({
  service,
  instanceId: endpoint.instanceId,
  transport: 'static',
  address: endpoint.address,
  startedAt: 0,
  heartbeatAt: 0,
  handled: 0,
  inFlight: 0,
});
