import type { Metadata } from '@app/transport';

export type EventBusName = 'memory' | 'nats' | 'redis';

/** An event as it is published: its body is the payload's JSON; the id is unique per event (broker de-duplication). */
export interface OutgoingEvent {
  id: string;
  type: string;
  body: string;
  metadata: Metadata;
}

/** An event as it is delivered to a subscriber. */
export interface DeliveredEvent {
  id: string;
  type: string;
  /** The payload's JSON, decoded by the consumer so a malformed body is a handler failure, not a crash. */
  body: string;
  metadata: Metadata;
  /** 1 on the first delivery, then 2, 3, ... */
  deliveryCount: number;
  /** When the broker stored the event (epoch ms): the broker's clock, not the publisher's claim. */
  publishedAt?: number;
}

/** What the handler's outcome means for an event: ack it, or have it delivered again later, or never again. */
export type EventOutcome = 'ack' | 'retry' | 'dead';

/**
 * How a subscriber's ack of a handled event reaches the broker; chosen per subscription by what its handler
 * guarantees. Both are at-least-once: they differ in what a lost ack costs and who notices.
 * - `confirmed` (the default, for handlers whose effect is not idempotent): the ack asks for the broker's reply
 *   (JetStream's `ackAck` protocol) and the bus awaits it: a close waits for every confirmation, and an ack the
 *   broker did not confirm is logged (the event may come again). The event's slot under `concurrency` serves the
 *   next event meanwhile (at most 4x `concurrency` confirmations wait; beyond that the slots wait with them).
 * - `plain` (for handlers whose effect is idempotent, e.g. applied through the Inbox): the ack is sent and not
 *   waited for (JetStream `ack`: no reply, nothing to track). An ack lost on the way (a connection drop, a crash)
 *   has the event delivered again after the ack wait, unnoticed; the Inbox turns that delivery into no effect.
 * Acks go to the broker in batches either way. Redis Streams settles with XACK, whose reply the bus always
 * awaits (one XACK per stream and turn): both modes behave as `confirmed` there. Memory has no broker to tell.
 */
export type AckMode = 'confirmed' | 'plain';

/**
 * One subscribing service's interest in some event types. Every group receives every event (fan-out); the
 * instances of a group compete, so each event is handled by one instance of the group. The bus calls `handle`
 * and acts on its outcome: `ack` -> done; `retry` -> delivered again after `retryDelayMs(deliveryCount)`, at most
 * `maxDeliveries` times in all; `dead` -> never again (the handler has recorded it as a dead letter).
 */
export interface Subscription {
  group: string;
  types: readonly string[];
  maxDeliveries: number;
  retryDelayMs(deliveryCount: number): number;
  /** How many events one instance handles at once. */
  concurrency: number;
  /** See AckMode; unset: the bus's default (EventBusConfig `ackMode`), itself `confirmed` unless set. */
  ackMode?: AckMode;
  handle(event: DeliveredEvent): Promise<EventOutcome>;
}

export interface SubscriptionHandle {
  /** Stops taking new events and waits for the ones in hand; undelivered events stay with the group. */
  close(): Promise<void>;
}

/**
 * Receives the events of a tap, one at a time: the next waits for the returned promise. A throw is logged and the
 * event skipped (a tap never redelivers).
 */
export type TapListener = (event: DeliveredEvent) => void | Promise<void>;

/**
 * A reader that leaves nothing behind on the broker (see EventBus.tap). `close` stops it, waits for the listener
 * call in progress, and removes what it used on the broker (a JetStream ephemeral consumer) before resolving.
 */
export interface TapHandle {
  close(): Promise<void>;
}

/**
 * A durable event bus. `publish` resolves once the broker has stored the event (at-least-once from there on) and
 * de-duplicates by event id within a window. `subscribe` resolves once events are flowing to the subscriber.
 * Core NATS and Redis pub/sub are not acceptable here: they lose events; JetStream and Redis Streams do not.
 */
export interface EventBus {
  readonly name: EventBusName;
  publish(event: OutgoingEvent): Promise<void>;
  subscribe(subscription: Subscription): Promise<SubscriptionHandle>;
  /**
   * Reads the events of `types` published from now on, in publish order, without a consumer group: every tap gets
   * every event, nothing is acked, no durable group sees it, and nothing stays on the broker once it is closed or
   * its process is gone (JetStream: an ephemeral consumer with an inactivity threshold, deleted on close; Redis
   * Streams: XREAD, no group; memory: a listener). For readers that only watch (WebSocket push, `events tail`).
   * Resolves once positioned: every event published after it resolves is delivered. Across a broker reconnect the
   * tap resumes after the last event it saw (the stream sequence, the entry id), so nothing stored meanwhile is
   * missed; what a broker loses (a restart without its store) or trims before the tap reads it is. Delivered at
   * most once per tap (deliveryCount 1).
   */
  tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle>;
  close(): Promise<void>;
  /**
   * Begins connecting to the broker without waiting for it, for a bus that would otherwise connect on first use:
   * the app calls it once at start, so its readiness reflects the broker, not whether traffic has passed yet.
   */
  start?(): void;
  /** For `/health/ready`: throws, saying why, while the bus cannot take events (its broker is down). */
  checkReady?(): void;
}
