import type { TransportName } from '../config/transport-config';

/** What a serving instance tells the registry about itself. */
export interface ServedInstance {
  service: string;
  /** The contract versions it serves (`v1`, `v2`), so clients asking for one version find it. */
  versions: readonly string[];
  transport: TransportName;
  /** Where it listens on tcp/grpc (as configured: may be `0.0.0.0:port`); undefined on brokered transports. */
  listenAddress?: string;
  /** Calls handled so far and in flight now, reported with each heartbeat. */
  stats(): InstanceStats;
}

export interface InstanceStats {
  handled: number;
  inFlight: number;
}

/**
 * Registers a serving instance (with a heartbeat) once it accepts calls, and withdraws it at once when it starts
 * to shut down, before it drains, so clients stop picking it. Implemented by the registries of @app/discovery.
 */
export interface InstanceAnnouncer {
  announce(instance: ServedInstance): Promise<void>;
  withdraw(): Promise<void>;
}
