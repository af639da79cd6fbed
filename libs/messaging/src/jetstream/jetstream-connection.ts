import { Logger } from '@nestjs/common';
import { connect, ErrorCode, Events, JetStreamClient, JetStreamManager, NatsConnection, NatsError } from 'nats';

type State = 'idle' | 'connecting' | 'waiting' | 'up' | 'down' | 'closed';

/** The connection and its JetStream clients (they live as long as the connection, across reconnects). */
export interface JetStreamClients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;
const LOG_EVERY_MS = 10_000;
const DRAIN_TIMEOUT_MS = 2000;

/**
 * The one NATS connection of a JetStream event bus, opened lazily. The first connect is retried until it works
 * (capped backoff, a throttled log line); after that nats.js reconnects by itself. `current` is the connection only
 * while it is up; listeners learn when it goes down.
 */
export class JetStreamConnection {
  private state: State = 'idle';
  private clients?: JetStreamClients;
  private attempt?: Promise<JetStreamClients | undefined>;
  private retryTimer?: NodeJS.Timeout;
  private wakeRetry?: () => void;
  private readonly ready: Promise<JetStreamClients>;
  private resolveReady!: (clients: JetStreamClients) => void;
  private rejectReady!: (error: Error) => void;
  private readonly downListeners = new Set<() => void>();
  private readonly log = new Logger('jetstream');

  constructor(
    readonly url: string,
    private readonly name: string,
  ) {
    this.ready = new Promise<JetStreamClients>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
  }

  /** The clients while the connection is up, else undefined. */
  get current(): JetStreamClients | undefined {
    return this.state === 'up' ? this.clients : undefined;
  }

  /** Resolves once first connected (however long the broker takes); rejects if closed before. */
  connected(): Promise<JetStreamClients> {
    this.start();
    return this.ready;
  }

  /** The clients if the connection is up or the attempt under way succeeds; undefined while the broker is down. */
  async settled(): Promise<JetStreamClients | undefined> {
    this.start();
    if (this.state === 'connecting') await this.attempt;
    return this.current;
  }

  /** Calls `listener` whenever the connection is lost; returns the unsubscribe. */
  onDown(listener: () => void): () => void {
    this.downListeners.add(listener);
    return () => void this.downListeners.delete(listener);
  }

  async close(): Promise<void> {
    const wasUp = this.state === 'up';
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    this.rejectReady(new Error(`the NATS connection to ${this.url} was closed`));
    await this.attempt;
    const nc = this.clients?.nc;
    if (!nc || nc.isClosed()) return;
    if (wasUp) await this.drain(nc);
    if (!nc.isClosed()) await nc.close();
  }

  private start(): void {
    if (this.state === 'idle') void this.connectUntilUp();
  }

  private async connectUntilUp(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let loggedAt = 0;
    let waited = false;
    while (!this.isClosed()) {
      this.state = 'connecting';
      let failure: unknown;
      this.attempt = this.connectOnce().catch((error: unknown) => {
        failure = error;
        return undefined;
      });
      const clients = await this.attempt;
      this.attempt = undefined;
      if (clients || this.isClosed()) {
        if (clients && waited) this.log.log(`connected to NATS at ${this.url}`);
        return;
      }
      this.state = 'waiting';
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        loggedAt = Date.now();
        this.log.warn(`waiting for NATS at ${this.url}: ${describeError(failure)}; retrying in ${delay / 1000}s`);
      }
      waited = true;
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  private async connectOnce(): Promise<JetStreamClients | undefined> {
    const nc = await connect({
      servers: this.url.split(',').map((s) => s.trim()),
      name: this.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      noAsyncTraces: true,
    });
    if (this.isClosed()) {
      await nc.close();
      return undefined;
    }
    const clients = { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager({ checkAPI: false }) };
    this.clients = clients;
    this.state = 'up';
    void this.watch(nc);
    this.resolveReady(clients);
    return clients;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    void nc.closed().then((error) => {
      if (this.isClosed()) return;
      this.log.error(`the NATS connection to ${this.url} closed for good: ${describeError(error)}`);
      this.state = 'closed';
      this.notifyDown();
    });
    for await (const status of nc.status()) {
      if (this.isClosed()) continue;
      if (status.type === Events.Disconnect && this.state === 'up') {
        this.state = 'down';
        this.log.warn(`lost the connection to NATS at ${this.url}; reconnecting`);
        this.notifyDown();
      } else if (status.type === Events.Reconnect) {
        this.state = 'up';
        this.log.log(`reconnected to NATS at ${this.url}`);
      }
    }
  }

  private notifyDown(): void {
    for (const listener of this.downListeners) listener();
  }

  private async drain(nc: NatsConnection): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)));
    await Promise.race([nc.drain().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  /** Read through a method so TypeScript does not narrow `state` across awaits. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }
}

/** A short description of a NATS failure for a log line. */
export function describeError(error: unknown): string {
  if (error instanceof NatsError && error.code === ErrorCode.ConnectionRefused) return 'connection refused';
  if (error instanceof Error) return error.message;
  return error === undefined ? 'closed' : String(error);
}
