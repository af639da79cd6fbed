import type { Logger } from '@nestjs/common';
import { AckPolicy, ConsumerConfig, ConsumerMessages, DeliverPolicy, NatsError, nanos, nuid, ReplayPolicy } from 'nats';
import type { TapHandle, TapListener } from '../bus/event-bus';
import { callTapListener } from '../tap/tap-queue';
import { describeError, JetStreamClients, JetStreamConnection } from './jetstream-connection';
import { JetStreamEventCodec } from './jetstream-event-codec';
import { JetStreamNames, sanitizeName } from './jetstream-names';

/** A tap's consumer the server removes by itself once nobody has pulled from it this long (its process is gone). */
export const TAP_INACTIVE_THRESHOLD_MS = 30_000;
/** Events a tap asks the server for at a time (refilled at half). */
const TAP_BUFFER = 256;
/** How long one pull waits on the server (nats.js sends idle heartbeats at half of it; two missed end the consume). */
const TAP_PULL_EXPIRES_MS = 10_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;
const LOG_EVERY_MS = 10_000;
const STREAM_NOT_FOUND = 10059;

/** Whether the server filters one consumer on several subjects (nats-server 2.10 and later). */
function takesManyFilters(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

/**
 * A tap on the JetStream bus: an ephemeral pull consumer of its own (no durable name, `ack_policy: none`, in memory,
 * one replica, removed by the server after TAP_INACTIVE_THRESHOLD_MS without a pull), deleted on close. Positioned
 * at start on the stream's last sequence (0 while the stream does not exist: everything it will hold is new); the
 * consumer delivers from the sequence after the last one seen. Any trouble (connection lost, consumer gone with a
 * restarted server, a delivery sequence gap, missed heartbeats) ends the consumer: the tap deletes it (if it still can)
 * and makes a new one from the last sequence seen + 1, so a reconnect loses nothing the stream kept. A stream
 * recreated meanwhile (a broker that lost its store) is read from its start. One type: the consumer filters on its
 * subject; several: on each of them (nats-server >= 2.10) or on the namespace's events, the others skipped here.
 */
export class JetStreamTap implements TapHandle {
  private readonly stream: string;
  private readonly types: ReadonlySet<string>;
  private readonly name: string;
  /** The stream sequence of the last event seen (or of the stream's end when positioned). */
  private lastSeq = 0;
  /** When the stream read was created (a different one: the stream was recreated). */
  private streamCreated?: string;
  private closed = false;
  private messages?: ConsumerMessages;
  private consumerName?: string;
  private serial = 0;
  private loop?: Promise<void>;
  private wake?: () => void;
  private closing?: Promise<void>;
  private loggedAt = 0;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly namespace: string,
    types: readonly string[],
    private readonly onEvent: TapListener,
    private readonly log: Logger,
    instanceId: string,
  ) {
    this.stream = JetStreamNames.stream(namespace);
    this.types = new Set(types);
    this.name = sanitizeName(`tap_${instanceId}_${nuid.next()}`).slice(0, 120);
  }

  /** Resolves once positioned (waits for the broker if it is down); then reads on its own. */
  async start(): Promise<void> {
    for (let delay = FIRST_RETRY_MS; !this.closed; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        const clients = await this.connection.connected();
        const info = await this.streamInfo(clients);
        this.lastSeq = info?.lastSeq ?? 0;
        this.streamCreated = info?.created;
        break;
      } catch (error) {
        this.warn(`cannot position the tap yet: ${describeError(error)}; retrying`);
        await this.sleep(delay);
      }
    }
    if (this.closed) throw new Error('the tap was closed before it started');
    this.loop = this.run();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.messages?.stop();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    const offDown = this.connection.onDown(() => this.messages?.stop());
    try {
      while (!this.closed) {
        const clients = await this.connection.settled().catch(() => undefined);
        if (clients && !this.closed) {
          try {
            if (await this.consumeOnce(clients)) delay = FIRST_RETRY_MS;
          } catch (error) {
            if (!this.closed) this.warn(`tap on ${this.stream}: ${describeError(error)}; resuming after sequence ${this.lastSeq}`);
          }
          await this.deleteConsumer(clients);
        }
        if (this.closed) break;
        await this.sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    } finally {
      offDown();
    }
  }

  /** One consumer, read until it ends; true if it delivered events in order until then. */
  private async consumeOnce(clients: JetStreamClients): Promise<boolean> {
    const info = await this.streamInfo(clients);
    if (!info) return false; // No stream yet: nothing published, nothing missed.
    if (this.streamCreated !== undefined && info.created !== this.streamCreated) {
      this.log.warn(`the event stream ${this.stream} was recreated: the tap reads it from its start`);
      this.lastSeq = 0;
    }
    this.streamCreated = info.created;
    const name = `${this.name}_${++this.serial}`;
    this.consumerName = name;
    await clients.jsm.consumers.add(this.stream, this.consumerConfig(name, clients));
    if (this.closed) return false;
    const consumer = await clients.js.consumers.get(this.stream, name);
    const messages = await consumer.consume({
      max_messages: TAP_BUFFER,
      threshold_messages: TAP_BUFFER / 2,
      expires: TAP_PULL_EXPIRES_MS,
      abort_on_missing_resource: true,
    });
    this.messages = messages;
    if (this.closed) messages.stop();
    void this.watchHeartbeats(messages);
    let deliverySeq = 0;
    for await (const msg of messages) {
      if (this.closed) break;
      // ack_policy none: a delivery lost on the way shows as a gap; start over from the last event seen.
      if (msg.info.deliverySequence !== ++deliverySeq) throw new Error(`delivery ${msg.info.deliverySequence} came after ${deliverySeq - 1}`);
      this.lastSeq = msg.seq;
      const event = JetStreamEventCodec.decode(this.namespace, msg);
      if (event && this.types.has(event.type)) await callTapListener(this.onEvent, { ...event, deliveryCount: 1 }, this.log);
    }
    this.messages = undefined;
    return true;
  }

  private consumerConfig(name: string, clients: JetStreamClients): Partial<ConsumerConfig> {
    const subjects = [...this.types].map((type) => JetStreamNames.subject(this.namespace, type));
    const filter: Partial<ConsumerConfig> =
      subjects.length === 1
        ? { filter_subject: subjects[0] }
        : takesManyFilters(clients.nc.info?.version)
          ? { filter_subjects: subjects }
          : { filter_subject: JetStreamNames.allSubjects(this.namespace) };
    return {
      name,
      ...filter,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.lastSeq + 1,
      replay_policy: ReplayPolicy.Instant,
      inactive_threshold: nanos(TAP_INACTIVE_THRESHOLD_MS),
      mem_storage: true,
      num_replicas: 1,
      max_deliver: 1,
    };
  }

  /** Ends the consume once two heartbeats in a row are missed (the server lost the consumer, or the route). */
  private async watchHeartbeats(messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      if (status.type === 'heartbeats_missed' && Number(status.data) >= 2) messages.stop();
    }
  }

  private async deleteConsumer(clients: JetStreamClients): Promise<void> {
    this.messages?.stop();
    this.messages = undefined;
    const name = this.consumerName;
    this.consumerName = undefined;
    if (!name || !this.connection.up) return; // Gone with the server, or removed by it after the inactive threshold.
    await clients.jsm.consumers.delete(this.stream, name).catch(() => undefined);
  }

  private async streamInfo({ jsm }: JetStreamClients): Promise<{ lastSeq: number; created: string } | undefined> {
    try {
      const info = await jsm.streams.info(this.stream);
      return { lastSeq: info.state.last_seq, created: info.created };
    } catch (error) {
      if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
      throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private warn(message: string): void {
    if (Date.now() - this.loggedAt < LOG_EVERY_MS) return;
    this.loggedAt = Date.now();
    this.log.warn(message);
  }
}
