import { Logger } from '@nestjs/common';
import type { Consumer, JsMsg } from 'nats';
import { InFlight } from '@app/transport';
import type { AckMode, EventOutcome, Subscription, SubscriptionHandle } from '../bus/event-bus';
import { describeError, JetStreamClients, JetStreamConnection } from './jetstream-connection';
import { JetStreamEventCodec } from './jetstream-event-codec';
import { JetStreamNames } from './jetstream-names';
import { ACK_WAIT_MS, DurableSpec, ensureDurable, ensureStream, JetStreamSetupError, MAX_DELIVER_MARGIN, StreamSettings } from './jetstream-setup';
import { Permits } from './permits';
import { ConsumeLoop } from './consume-loop';
import { JetStreamAcker } from './jetstream-acker';

const SETUP_FIRST_RETRY_MS = 250;
const SETUP_MAX_RETRY_MS = 2000;
const LOG_EVERY_MS = 10_000;
/** Acks awaiting the server's confirmation, per permit, beyond which a handled event keeps its permit until confirmed. */
const CONFIRMING_PER_PERMIT = 4;
/** Longest a close waits for the broker to take the plain acks sent before it. */
const FLUSH_ON_CLOSE_MS = 2000;
/** How often the handlers still running tell the server they are working on their events (resets the ack wait). */
const WORKING_EVERY_MS = ACK_WAIT_MS / 3;

/**
 * One subscription on the JetStream bus: for each event type, the group's durable pull consumer (created if missing,
 * taking what is published from then on) and a ConsumeLoop; the loops share `concurrency` permits, and each keeps a
 * buffer of its share of them. Each event goes to the handler, whose outcome acks it, naks it with the retry delay,
 * or terms it. Acks go out in batches (JetStreamAcker) and follow the subscription's AckMode: `confirmed` -> the
 * `ackAck` protocol, the confirmation awaited (close waits for it, a failure is logged) while the permit already
 * serves the next event (held until confirmed only when 4x `concurrency` acks already wait for theirs); `plain` -> `ack`, the permit given back at once (and `close` flushes the connection, so the acks sent
 * reach the server before it goes). `close` stops consuming, gives back the buffered events, and waits for those in
 * hand; the rest stays with the group's consumers.
 */
export class JetStreamSubscription implements SubscriptionHandle {
  private readonly permits: Permits;
  private readonly inFlight = new InFlight();
  private readonly loops: ConsumeLoop[] = [];
  private readonly ackMode: AckMode;
  private clients?: JetStreamClients;
  private acker?: JetStreamAcker;
  /** The events whose handler runs, with when it started (for the `working` sweep). */
  private readonly handling = new Map<JsMsg, number>();
  private workingSweep?: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly stream: string;
  private closed = false;
  private wakeSetup?: () => void;
  private closing?: Promise<void>;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly namespace: string,
    private readonly subscription: Subscription,
    private readonly onClosed: (handle: JetStreamSubscription) => void,
    /** For a stream it has to recreate. */
    private readonly streamSettings: StreamSettings,
    /** For a subscription that does not choose one. */
    defaultAckMode: AckMode = 'confirmed',
  ) {
    this.ackMode = subscription.ackMode ?? defaultAckMode;
    this.permits = new Permits(Math.max(1, subscription.concurrency));
    this.log = new Logger(`${subscription.group}:jetstream`);
    this.stream = JetStreamNames.stream(namespace);
  }

  /** Resolves once every consumer exists and is being pulled (waits for the broker if it is down). */
  async start(): Promise<void> {
    const clients = await this.connection.connected();
    this.clients = clients;
    this.acker = new JetStreamAcker(clients.nc);
    const specs = [...new Set(this.subscription.types)].map((type) => this.spec(type));
    await this.untilDone('create the event stream', () => this.ensureStream(clients));
    for (const spec of specs) await this.untilDone(`create consumer ${spec.name}`, () => ensureDurable(clients.jsm, spec));
    if (this.closed) return;
    const share = Math.max(1, Math.floor(this.permits.capacity / specs.length));
    this.workingSweep = setInterval(() => this.sendWorking(), WORKING_EVERY_MS).unref();
    for (const spec of specs) {
      this.loops.push(
        new ConsumeLoop({
          name: spec.name,
          consumer: () => this.consumer(clients, spec),
          permits: this.permits,
          share,
          deliver: (msg) => this.deliver(msg),
          log: this.log,
        }),
      );
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.wakeSetup?.();
    this.permits.close();
    await Promise.all(this.loops.map((loop) => loop.stop()));
    await this.inFlight.drain();
    clearInterval(this.workingSweep);
    this.acker?.close();
    if (this.ackMode === 'plain') await this.flush();
    this.onClosed(this);
  }

  /** Waits (a while at most) for the server to have read what was sent: the plain acks. */
  private async flush(): Promise<void> {
    const nc = this.clients?.nc;
    if (!nc || nc.isClosed() || !this.connection.up) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_ON_CLOSE_MS)));
    await Promise.race([nc.flush().catch(() => undefined), late]);
    clearTimeout(timer);
  }

  private spec(type: string): DurableSpec {
    return {
      stream: this.stream,
      name: JetStreamNames.durable(this.namespace, this.subscription.group, type),
      subject: JetStreamNames.subject(this.namespace, type),
      maxDeliver: this.subscription.maxDeliveries + MAX_DELIVER_MARGIN,
    };
  }

  private ensureStream({ jsm }: JetStreamClients): Promise<void> {
    return ensureStream(jsm, this.stream, JetStreamNames.allSubjects(this.namespace), this.streamSettings);
  }

  /** The consumer to pull, both it and the stream recreated if they went missing (a broker that lost its store). */
  private async consumer(clients: JetStreamClients, spec: DurableSpec): Promise<Consumer> {
    await this.ensureStream(clients);
    await ensureDurable(clients.jsm, spec);
    return clients.js.consumers.get(spec.stream, spec.name);
  }

  private deliver(msg: JsMsg): void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.permits.give(1);
    };
    void this.inFlight.track(() => this.settle(msg, release)).finally(release);
  }

  /** Handles the event and answers the server; `release` gives its permit back (at the latest when done). */
  private async settle(msg: JsMsg, release: () => void): Promise<void> {
    const event = JetStreamEventCodec.decode(this.namespace, msg);
    if (!event) {
      this.log.error(`dropping message ${msg.seq} on ${msg.subject}: not an event (no type or id)`);
      return this.respond(msg, 'dead', 0);
    }
    this.handling.set(msg, Date.now());
    let outcome: EventOutcome;
    try {
      outcome = await this.subscription.handle(event);
    } catch {
      outcome = 'retry';
    } finally {
      this.handling.delete(msg);
    }
    await this.respond(msg, outcome, event.deliveryCount, release);
  }

  /** Tells the server the outcome; if that fails the event comes back after the ack wait (at least once). */
  private async respond(msg: JsMsg, outcome: EventOutcome, deliveryCount: number, release?: () => void): Promise<void> {
    if (outcome === 'ack' && this.ackMode === 'plain') {
      this.acker!.ack(msg);
    } else if (outcome === 'ack') {
      const confirmed = this.acker!.confirm(msg).catch((error: unknown) => {
        this.log.warn(`could not confirm the ack of ${msg.subject} #${msg.seq} (it may come again): ${describeError(error)}`);
      });
      // The handler is done: its permit serves the next event while the confirmation comes, unless too many wait.
      if (this.acker!.confirming <= this.permits.capacity * CONFIRMING_PER_PERMIT) release?.();
      await confirmed;
    } else if (outcome === 'retry') {
      this.respondSafely(() => msg.nak(this.subscription.retryDelayMs(Math.max(1, deliveryCount))));
    } else {
      this.respondSafely(() => msg.term());
    }
  }

  /** Tells the server the handlers running for a second or more are still at work (restarts their ack wait). */
  private sendWorking(): void {
    const before = Date.now() - 1000;
    for (const [msg, startedAt] of this.handling) if (startedAt <= before) this.respondSafely(() => msg.working());
  }

  private respondSafely(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.log.warn(`could not answer the broker (the event comes again after the ack wait): ${describeError(error)}`);
    }
  }

  /** Runs a setup step until it succeeds, the subscription is closed, or it fails for good (a naming clash). */
  private async untilDone(what: string, step: () => Promise<unknown>): Promise<void> {
    let delay = SETUP_FIRST_RETRY_MS;
    let loggedAt = 0;
    while (!this.closed) {
      try {
        await step();
        return;
      } catch (error) {
        if (error instanceof JetStreamSetupError || this.closed) throw error;
        if (Date.now() - loggedAt >= LOG_EVERY_MS) {
          loggedAt = Date.now();
          this.log.warn(`cannot ${what} yet: ${describeError(error)}; retrying`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeSetup = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        delay = Math.min(delay * 2, SETUP_MAX_RETRY_MS);
      }
    }
    throw new Error(`the subscription of ${this.subscription.group} was closed before it started`);
  }
}
