import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { NatsClientTransport } from './nats-client.transport';
import { NatsConnectionManager } from './nats-connection';
import { NatsPublishBatch } from './nats-publish-batch';
import { NatsReplyInbox } from './nats-reply-inbox';
import { NatsServerTransport } from './nats-server.transport';

/**
 * RPC over core NATS: one connection per driver (so per app), shared by its server and its clients, with one
 * shared reply inbox and one publish batch (the requests and replies of an event-loop turn leave in one write). `close` closes the servers and clients it made, then drains and closes the connection.
 */
export class NatsDriver implements TransportDriver {
  readonly name = 'nats' as const;
  private readonly connection: NatsConnectionManager;
  private readonly inbox = new NatsReplyInbox();
  private readonly batch = new NatsPublishBatch();
  private readonly servers = new Set<NatsServerTransport>();
  private readonly clients = new Set<NatsClientTransport>();

  constructor(private readonly config: TransportConfig) {
    this.connection = new NatsConnectionManager(config);
  }

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const server = new NatsServerTransport(contracts[0].service, this.config, this.connection, this.batch);
    this.servers.add(server);
    return server;
  }

  client(contract: ServiceContract): ClientTransport {
    const client = new NatsClientTransport(contract, this.config, this.connection, this.inbox, this.batch);
    this.clients.add(client);
    return client;
  }

  checkReady(): void {
    if (!this.connection.current) throw new Error(`not connected to NATS at ${this.connection.url}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers].map((server) => server.close()));
    await Promise.all([...this.clients].map((client) => client.close()));
    this.servers.clear();
    this.clients.clear();
    await this.connection.close();
  }
}
