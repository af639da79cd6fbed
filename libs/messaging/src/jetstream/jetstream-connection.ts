import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { NatsConnectionManager, TransportTls } from '@app/transport';

export { describeNatsError as describeError } from '@app/transport';

/** The connection and its JetStream clients (they live as long as the connection, across reconnects). */
export interface JetStreamClients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * The one NATS connection of a JetStream event bus (a transport NatsConnectionManager, opened lazily, retried and
 * reconnected by it, in TLS when given TLS material), with its JetStream clients, made once per connection.
 */
export class JetStreamConnection {
  private readonly connection: NatsConnectionManager;
  private clients?: { nc: NatsConnection; clients: Promise<JetStreamClients> };

  constructor(url: string, name: string, tls?: TransportTls) {
    this.connection = new NatsConnectionManager({ natsUrl: url, instanceId: name, tls }, 'jetstream');
  }

  get url(): string {
    return this.connection.url;
  }

  /** Whether the connection is up right now. */
  get up(): boolean {
    return this.connection.current !== undefined;
  }

  /** Begins connecting (retried until it works or `close`) without waiting; `up` tells when it is. */
  start(): void {
    this.connection.start();
  }

  /** Resolves once first connected (however long the broker takes); rejects if closed before. */
  async connected(): Promise<JetStreamClients> {
    return this.clientsOf(await this.connection.connected());
  }

  /** The clients if the connection is up or the attempt under way succeeds; undefined while the broker is down. */
  async settled(): Promise<JetStreamClients | undefined> {
    const nc = await this.connection.settled();
    return nc && this.clientsOf(nc);
  }

  /** Calls `listener` whenever the connection is lost; returns the unsubscribe. */
  onDown(listener: () => void): () => void {
    return this.connection.onDown(listener);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private clientsOf(nc: NatsConnection): Promise<JetStreamClients> {
    if (this.clients?.nc !== nc) {
      // checkAPI: false — no round trip to the broker; the clients are only bound to the connection.
      const clients = nc.jetstreamManager({ checkAPI: false }).then((jsm) => ({ nc, js: nc.jetstream(), jsm }));
      this.clients = { nc, clients };
    }
    return this.clients.clients;
  }
}
