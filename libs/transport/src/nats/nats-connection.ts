import { Logger } from '@nestjs/common';
import { connect, ConnectionOptions, ErrorCode, Events, NatsConnection, NatsError, TlsOptions } from 'nats';
import type { TransportConfig } from '../config/transport-config';

/**
 * What a connection needs: the server list (comma-separated), the client name the broker shows, and the TLS
 * material if any.
 */
export type NatsConnectionConfig = Pick<TransportConfig, 'natsUrl' | 'instanceId' | 'tls'>;

type State = 'idle' | 'connecting' | 'waiting' | 'up' | 'down' | 'closed';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;
const LOG_EVERY_MS = 10_000;
const DRAIN_TIMEOUT_MS = 2000;

/**
 * One NATS connection, opened lazily and shared by its users (the NATS driver's server and clients, or a JetStream
 * event bus). The first connect is retried until it works or `close` is called (capped backoff, a throttled log line);
 * after that nats.js reconnects by itself. `current` is the connection only while it is up; listeners learn when it
 * goes down.
 */
export class NatsConnectionManager {
  private state: State = 'idle';
  private nc?: NatsConnection;
  private attempt?: Promise<NatsConnection | undefined>;
  private retryTimer?: NodeJS.Timeout;
  private wakeRetry?: () => void;
  private readonly ready: Promise<NatsConnection>;
  private resolveReady!: (nc: NatsConnection) => void;
  private rejectReady!: (error: Error) => void;
  private readonly downListeners = new Set<() => void>();
  private readonly log: Logger;

  /** `logContext` names the Nest logger context of the connection's log lines. */
  constructor(
    private readonly config: NatsConnectionConfig,
    logContext = 'nats',
  ) {
    this.log = new Logger(logContext);
    this.ready = new Promise<NatsConnection>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
  }

  get url(): string {
    return this.config.natsUrl;
  }

  /** The connection while it is up, else undefined. */
  get current(): NatsConnection | undefined {
    return this.state === 'up' ? this.nc : undefined;
  }

  /** Resolves once first connected (however long the broker takes); rejects if closed before. */
  connected(): Promise<NatsConnection> {
    this.start();
    return this.ready;
  }

  /** The connection if it is up or the connect attempt under way succeeds; undefined while the broker is down. */
  async settled(): Promise<NatsConnection | undefined> {
    this.start();
    if (this.state === 'connecting') await this.attempt;
    return this.current;
  }

  /** Calls `listener` whenever the connection is lost; returns the unsubscribe. */
  onDown(listener: () => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  start(): void {
    if (this.state === 'idle') void this.connectUntilUp();
  }

  async close(): Promise<void> {
    const wasUp = this.state === 'up';
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    this.rejectReady(new Error(`the NATS connection to ${this.url} was closed`));
    await this.attempt;
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    if (wasUp) await this.drain(nc);
    if (!nc.isClosed()) await nc.close();
  }

  private async connectUntilUp(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let loggedAt = 0;
    let waited = false;
    while (this.state !== 'closed') {
      this.state = 'connecting';
      let failure: unknown;
      this.attempt = this.connectOnce().catch((error: unknown) => {
        failure = error;
        return undefined;
      });
      const nc = await this.attempt;
      this.attempt = undefined;
      if (nc || this.isClosed()) {
        if (nc && waited) this.log.log(`connected to NATS at ${this.url}`);
        return;
      }
      this.state = 'waiting';
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        loggedAt = Date.now();
        this.log.warn(`waiting for NATS at ${this.url}: ${describeNatsError(failure)}; retrying in ${delay / 1000}s`);
      }
      waited = true;
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  private async connectOnce(): Promise<NatsConnection | undefined> {
    const servers = this.url.split(',').map((server) => server.trim());
    const tls = natsTlsOptions(this.config, servers);
    const options: ConnectionOptions = { servers, name: this.config.instanceId, tls, noAsyncTraces: true };
    if (tls) await checkTls(options);
    const nc = await connect({ ...options, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    if (this.isClosed()) {
      await nc.close();
      return undefined;
    }
    this.nc = nc;
    this.state = 'up';
    void this.watch(nc);
    this.resolveReady(nc);
    return nc;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    void nc.closed().then((error) => {
      if (this.isClosed()) return;
      this.log.error(`the NATS connection to ${this.url} closed for good: ${describeNatsError(error)}`);
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

/**
 * With TLS material: TLS with this service's certificate, the server's checked against the CA (and TLS_SERVER_NAME
 * if set). A `tls://` server URL without material still requires TLS (system CAs). Otherwise undefined: TLS only
 * if the server asks for it. With TLS required, a server that offers no TLS is refused.
 */
export function natsTlsOptions(config: NatsConnectionConfig, servers: readonly string[]): TlsOptions | undefined {
  const { tls } = config;
  if (!tls) return servers.some((server) => /^tls:\/\//i.test(server)) ? {} : undefined;
  // nats.js passes its tls options on to node:tls, so `servername` reaches it (its type only lists its own fields).
  const options: TlsOptions & { servername?: string } = {
    ca: tls.ca.toString('utf8'),
    cert: tls.cert.toString('utf8'),
    key: tls.key.toString('utf8'),
    ...(tls.serverName && { servername: tls.serverName }),
  };
  return options;
}

/**
 * Fails at once when the server refuses this client's TLS certificate. A connection that may reconnect does not:
 * when the server drops it right after the handshake (TLS 1.3 checks the client certificate then), nats.js waits
 * out its whole connect timeout (20 s). One that may not reconnect fails at once, so it goes first, and closes.
 */
async function checkTls(options: ConnectionOptions): Promise<void> {
  const probe = await connect({ ...options, name: `${options.name}:tls-check`, reconnect: false });
  await probe.close();
}

/** A short description of a NATS failure for a log line. */
export function describeNatsError(error: unknown): string {
  if (error instanceof NatsError && error.code === ErrorCode.ConnectionRefused) return 'connection refused';
  if (error instanceof Error) return error.message;
  return error === undefined ? 'closed' : String(error);
}
