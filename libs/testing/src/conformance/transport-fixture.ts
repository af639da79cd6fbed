import type { TransportConfig, TransportName } from '@app/transport';

/** What a transport can do; a conformance case that needs a feature runs only where it is true. */
export interface TransportFeatures {
  /** Calls go through a broker the suite can kill and restart (nats, redis). */
  brokered: boolean;
  /** Client and server are connected over the network, so losing and regaining the connection can be tested. */
  reconnects: boolean;
  /** A call to a service with no running instance fails promptly with UNAVAILABLE, not at its deadline. */
  reportsMissingService: boolean;
}

/**
 * Everything the conformance suite needs to know about one transport: how to start what it needs (a broker on
 * a free port), the settings of servers and clients, and how to take the broker down and back up.
 */
export interface TransportFixture {
  readonly transport: TransportName;
  readonly features: TransportFeatures;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Settings shared by every server and client of the run (unique namespace, broker URL, addresses). */
  config(): Partial<TransportConfig>;
  /** Settings of server instance `index` (0 or 1): its listen address on tcp and grpc. */
  serverConfig(index: number): Partial<TransportConfig>;
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
}
