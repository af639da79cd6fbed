import type { EndpointSource, InstanceAnnouncer } from '@app/transport';
import type { InstanceRecord } from './instance-record';

export const DISCOVERY_MODES = ['static', 'nats', 'redis', 'dns'] as const;
export type DiscoveryMode = (typeof DISCOVERY_MODES)[number];

/**
 * A service registry: serving instances announce themselves (registered, then a heartbeat every interval; gone
 * from it within the TTL when they stop heartbeating, at once when they withdraw), and clients watch a service's
 * instances (`watch`, as an EndpointSource for the tcp/grpc balancers) or list them with their last reported
 * load. The static and DNS modes are read-only: the list comes from configuration or from DNS records that the
 * platform (Kubernetes) maintains, so `announce` and `withdraw` do nothing there.
 */
export interface ServiceRegistry extends EndpointSource, InstanceAnnouncer {
  readonly mode: DiscoveryMode;
  list(service: string): Promise<InstanceRecord[]>;
  close(): Promise<void>;
}
