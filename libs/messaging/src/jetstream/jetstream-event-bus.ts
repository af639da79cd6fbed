import { Logger } from '@nestjs/common';
import { ErrorCode, NatsError } from 'nats';
import { RpcError, StatusCode } from '@app/transport';
import type { EventBus, OutgoingEvent, Subscription, SubscriptionHandle, TapHandle, TapListener } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { describeError, JetStreamClients, JetStreamConnection } from './jetstream-connection';
import { JetStreamEventCodec } from './jetstream-event-codec';
import { JetStreamNames } from './jetstream-names';
import { ensureStream, JetStreamSetupError, StreamSettings } from './jetstream-setup';
import { JetStreamSubscription } from './jetstream-subscription';
import { JetStreamTap } from './jetstream-tap';
import { openTap } from '../tap/open-tap';

/** Longest wait for the broker's acknowledgement of a publish before it is reported as failed. */
const PUBLISH_TIMEOUT_MS = 5000;

/**
 * The event bus on NATS JetStream. One stream per namespace (`<ns>_events`, subjects `<ns>.events.<type>`, file
 * storage, 2-minute de-duplication window on the event id); per subscribing group and event type, one durable pull
 * consumer that the group's instances share, consumed with a buffer (see JetStreamSubscription, AckMode).
 * `publish` resolves on the broker's acknowledgement (the event is stored) and rejects with UNAVAILABLE at once while
 * the broker is unreachable. One connection per bus, opened by `start` (at app start) or else on first use;
 * subscriptions resume by themselves after the broker comes back. A tap is an ephemeral consumer (JetStreamTap).
 */
export class JetStreamEventBus implements EventBus {
  readonly name = 'nats' as const;
  private readonly connection: JetStreamConnection;
  private readonly stream: string;
  private readonly subscriptions = new Set<JetStreamSubscription>();
  private readonly taps = new Set<JetStreamTap>();
  private readonly log = new Logger('JetStreamEventBus');
  private streamReady?: Promise<void>;
  private closed = false;

  constructor(private readonly config: EventBusConfig) {
    this.connection = new JetStreamConnection(config.natsUrl, `${config.instanceId}:events`, config.tls);
    this.stream = JetStreamNames.stream(config.namespace);
  }

  start(): void {
    if (!this.closed) this.connection.start();
  }

  checkReady(): void {
    if (!this.connection.up) throw new Error(`not connected to NATS JetStream at ${this.connection.url}`);
  }

  async publish(event: OutgoingEvent): Promise<void> {
    if (this.closed) throw new RpcError(StatusCode.UNAVAILABLE, 'the event bus is closed');
    const clients = await this.connection.settled();
    if (!clients) throw new RpcError(StatusCode.UNAVAILABLE, `NATS at ${this.connection.url} is unreachable`);
    try {
      await this.untilDown(this.ensureStream(clients));
      await this.untilDown(
        clients.js.publish(JetStreamNames.subject(this.config.namespace, event.type), JetStreamEventCodec.body(event.body), {
          msgID: event.id,
          headers: JetStreamEventCodec.headers(event.metadata),
          expect: { streamName: this.stream },
          timeout: PUBLISH_TIMEOUT_MS,
        }),
      );
    } catch (error) {
      // No responders: JetStream, or the stream, is missing (a broker restarting, a store lost): check it next time.
      if (error instanceof NatsError && error.code === ErrorCode.NoResponders) this.streamReady = undefined;
      throw publishError(error, event.type);
    }
  }

  async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    if (this.closed) throw new RpcError(StatusCode.UNAVAILABLE, 'the event bus is closed');
    const handle = new JetStreamSubscription(
      this.connection,
      this.config.namespace,
      subscription,
      (h) => this.subscriptions.delete(h),
      this.streamSettings(),
      this.config.ackMode,
    );
    this.subscriptions.add(handle);
    try {
      await handle.start();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  async tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle> {
    if (this.closed) throw new RpcError(StatusCode.UNAVAILABLE, 'the event bus is closed');
    const tap = new JetStreamTap(this.connection, this.config.namespace, types, onEvent, this.log, this.config.instanceId);
    return openTap(this.taps, tap);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.taps].map((t) => t.close()));
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.connection.close();
  }

  private streamSettings(): StreamSettings {
    return { duplicateWindowMs: this.config.duplicateWindowMs, replicas: this.config.streamReplicas };
  }

  private ensureStream({ jsm }: JetStreamClients): Promise<void> {
    this.streamReady ??= ensureStream(jsm, this.stream, JetStreamNames.allSubjects(this.config.namespace), this.streamSettings()).catch((error) => {
      this.streamReady = undefined;
      throw error;
    });
    return this.streamReady;
  }

  /** The work's result, or UNAVAILABLE as soon as the connection drops (the caller retries; the id de-duplicates). */
  private untilDown<T>(work: Promise<T>): Promise<T> {
    let off = () => undefined as void;
    const down = new Promise<never>((_, reject) => {
      off = this.connection.onDown(() =>
        reject(new RpcError(StatusCode.UNAVAILABLE, `lost the connection to NATS at ${this.connection.url}`)),
      );
    });
    return Promise.race([work, down]).finally(off);
  }
}

function publishError(error: unknown, type: string): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof JetStreamSetupError) return new RpcError(StatusCode.FAILED_PRECONDITION, error.message);
  if (error instanceof NatsError && error.code === ErrorCode.MaxPayloadExceeded) {
    return new RpcError(StatusCode.RESOURCE_EXHAUSTED, `event ${type} is too large for NATS: ${error.message}`);
  }
  return new RpcError(StatusCode.UNAVAILABLE, `could not publish ${type} to JetStream: ${describeError(error)}`);
}
