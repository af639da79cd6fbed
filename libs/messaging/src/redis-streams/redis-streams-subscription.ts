import type { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeConnection, InFlight, whenReady } from '@app/transport';
import type { EventOutcome, Subscription, SubscriptionHandle } from '../bus/event-bus';
import { Claimed, heldKey, PendingReclaimer } from './pending-reclaimer';
import { isNoGroup, StreamCommands, StreamEntry } from './stream-commands';
import { EntrySettler } from './entry-settler';
import { decodeEvent } from './stream-event';
import { StreamTrimmer } from './stream-trimmer';
import type { RedisStreamsTiming } from './redis-streams-timing';

/** A read waits this long for new entries at most: it bounds how late a due retry is noticed and how long close waits. */
const BLOCK_MS = 150;
/** How often failed entries are checked for a due retry. */
const RETRY_SCAN_EVERY_MS = 150;
const PAUSE_AFTER_ERROR_MS = 1_000;
const WARN_EVERY_MS = 5_000;
/** Settlements on their way to Redis, per slot of `concurrency`, beyond which they take slots too. */
const SETTLING_PER_SLOT = 4;

export interface RedisStreamsSubscriptionOptions {
  subscription: Subscription;
  /** Stream key -> the event type it holds. */
  streams: ReadonlyMap<string, string>;
  consumer: string;
  retryConsumer: string;
  /** This subscription's own connection: the blocking reads, and the claims between them. */
  blocking: Redis;
  /** The bus's command connection: acks and retries of finished handlers (never blocked by a read). */
  commands: StreamCommands;
  log: Logger;
  timing: RedisStreamsTiming;
}

/**
 * One instance of a consumer group reading its streams. A single loop on its own connection reads new entries
 * (XREADGROUP `>` with COUNT: as many as it has room for under `concurrency`, waiting for room for a quarter of
 * it while handlers run) and, between reads, claims failed
 * entries whose retry delay has passed and entries left by dead instances (see PendingReclaimer). A handler's
 * outcome settles its entry (EntrySettler, in batches: one XACK for the entries settled in one turn): ack and dead -> XACK; retry -> the entry waits, pending, with the
 * group's retry consumer until any instance claims it after the delay. Nothing about a retry is kept in this
 * process, so a failed event survives the instance that failed it.
 * The loop survives Redis restarts (it waits for the connection, recreates a lost group, settles what could not
 * be settled while Redis was down). `close` stops reading, waits for the handlers in hand, and leaves every
 * other entry with the group.
 */
export class RedisStreamsSubscription implements SubscriptionHandle {
  private readonly inFlight = new InFlight();
  private readonly inHand = new Map<string, { stream: string; entryId: string; touchedAt: number }>();
  private readonly settler: EntrySettler;
  private readonly own: StreamCommands;
  private readonly reclaimer: PendingReclaimer;
  private readonly trimmer: StreamTrimmer;
  private readonly streamKeys: readonly string[];
  private readonly abort = new AbortController();
  private stopping = false;
  private loop?: Promise<void>;
  private closed?: Promise<void>;
  private wake?: () => void;
  private rotation = 0;
  /** Handlers running (the events in hand that count against `concurrency`). */
  private handlers = 0;
  private nextRetryScanAt = 0;
  private nextAbandonedScanAt = 0;
  private nextKeepAliveAt = 0;
  private nextTrimAt = Date.now() + 1_000;
  private lastWarnAt = 0;
  /** How often entries in hand are checked for a keep-alive (and how long a full instance waits between checks). */
  private readonly keepAliveCheckEveryMs: number;

  constructor(private readonly o: RedisStreamsSubscriptionOptions) {
    const { subscription } = o;
    this.own = new StreamCommands(o.blocking);
    this.streamKeys = [...o.streams.keys()];
    this.reclaimer = new PendingReclaimer({
      commands: this.own,
      streams: this.streamKeys,
      group: subscription.group,
      consumer: o.consumer,
      retryConsumer: o.retryConsumer,
      retryDelayMs: (n) => subscription.retryDelayMs(n),
      maxDeliveries: subscription.maxDeliveries,
      abandonedAfterMs: o.timing.abandonedAfterMs,
    });
    this.trimmer = new StreamTrimmer(this.own);
    this.settler = new EntrySettler(subscription.group, o.retryConsumer, o.commands);
    this.keepAliveCheckEveryMs = Math.max(10, Math.min(1_000, o.timing.keepAliveAfterMs / 5));
  }

  /** Waits for Redis, creates the group on each stream (new events from now on; a group that exists resumes), reads. */
  async start(): Promise<void> {
    for (;;) {
      await whenReady(this.o.blocking, { abort: this.abort.signal }).catch(() => {
        throw new Error(`the subscription of ${this.o.subscription.group} was closed before Redis was reachable`);
      });
      try {
        await this.createGroups('$');
        break;
      } catch (error) {
        if (this.stopping) throw error;
        this.warn(`cannot create consumer group ${this.o.subscription.group}: ${reason(error)}`);
        await this.idle(PAUSE_AFTER_ERROR_MS);
      }
    }
    this.loop = this.run();
  }

  close(): Promise<void> {
    return (this.closed ??= this.shutdown());
  }

  /**
   * Events this instance may take now: `concurrency` less the handlers running. An entry whose handler is done
   * waits for its settlement (still held in Redis, and in `inHand`, so no scan takes it) without a slot, unless
   * more than SETTLING_PER_SLOT x `concurrency` wait: then they count again (Redis is not keeping up).
   */
  private get room(): number {
    const { concurrency } = this.o.subscription;
    const settling = this.inFlight.size - this.handlers;
    return concurrency - this.handlers - Math.max(0, settling - SETTLING_PER_SLOT * concurrency);
  }

  /**
   * The fewest new entries worth a read: a quarter of `concurrency` while handlers run (their settlements free room
   * in batches, so reads stay batches too, not one entry each), any when none runs.
   */
  private get smallestRead(): number {
    return this.handlers === 0 ? 1 : Math.max(1, Math.ceil(this.o.subscription.concurrency / 4));
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (this.o.blocking.status !== 'ready') {
        const ready = await whenReady(this.o.blocking, { abort: this.abort.signal }).then(() => true, () => false);
        if (!ready && !this.stopping) await this.idle(PAUSE_AFTER_ERROR_MS);
        this.nextAbandonedScanAt = 0;
        continue;
      }
      try {
        await this.step();
      } catch (error) {
        await this.stepFailed(error);
      }
    }
  }

  private async step(): Promise<void> {
    await this.settler.flush(this.own);
    const now = Date.now();
    if (now >= this.nextKeepAliveAt) await this.keepAlive(now);
    if (now >= this.nextTrimAt) {
      this.nextTrimAt = now + this.o.timing.trimEveryMs;
      for (const stream of this.streamKeys) await this.trimmer.trim(stream);
    }
    if (now >= this.nextAbandonedScanAt && this.room > 0 && !this.stopping) {
      const held = new Set([...this.inHand.keys(), ...this.settler.heldKeys()]);
      this.deliverAll(await this.reclaimer.orphans(held, this.room));
      if (this.room > 0) this.deliverAll(await this.reclaimer.abandoned(this.room));
      this.nextAbandonedScanAt = now + this.o.timing.abandonedScanEveryMs;
    }
    if (now >= this.nextRetryScanAt && this.room > 0 && !this.stopping) {
      this.deliverAll(await this.reclaimer.dueRetries(this.room));
      this.nextRetryScanAt = now + RETRY_SCAN_EVERY_MS;
    }
    if (this.stopping) return;
    if (this.room < this.smallestRead) return this.idle(this.keepAliveCheckEveryMs);
    await this.readNew(this.room);
  }

  /** Reads new entries from the streams, at most `room` in all: rotates over the streams when room is short. */
  private async readNew(room: number): Promise<void> {
    const streams = this.streamKeys;
    const n = Math.min(streams.length, room);
    const chosen = Array.from({ length: n }, (_, i) => streams[(this.rotation + i) % streams.length]);
    this.rotation = (this.rotation + n) % streams.length;
    const { group } = this.o.subscription;
    const read = await this.own.readNew(group, this.o.consumer, chosen, Math.floor(room / n), BLOCK_MS);
    for (const [stream, entries] of read) for (const entry of entries) this.deliver(stream, entry, 1);
  }

  private deliverAll(claimed: Claimed[]): void {
    for (const { stream, entry, deliveryCount } of claimed) this.deliver(stream, entry, deliveryCount);
  }

  private deliver(stream: string, entry: StreamEntry, deliveryCount: number): void {
    const { entryId, fields } = entry;
    const type = this.o.streams.get(stream);
    if (!fields || type === undefined) {
      void this.settler.settle({ stream, entryId, outcome: 'ack' }); // deleted from the stream meanwhile
      return;
    }
    const key = heldKey(stream, entryId);
    this.inHand.set(key, { stream, entryId, touchedAt: Date.now() });
    const event = decodeEvent(type, { entryId, fields }, deliveryCount);
    this.handlers++;
    void this.inFlight.track(async () => {
      let outcome: EventOutcome;
      try {
        outcome = await this.o.subscription.handle(event).catch((): EventOutcome => 'retry');
      } finally {
        this.handlers--;
      }
      this.wake?.();
      await this.settler.settle({ stream, entryId, outcome });
      this.inHand.delete(key);
      this.wake?.();
    });
  }

  /** Restarts the idle time of entries in hand for a while, so no other instance takes them as abandoned. */
  private async keepAlive(now: number): Promise<void> {
    this.nextKeepAliveAt = now + this.keepAliveCheckEveryMs;
    const byStream = new Map<string, string[]>();
    for (const held of this.inHand.values()) {
      if (now - held.touchedAt < this.o.timing.keepAliveAfterMs) continue;
      held.touchedAt = now;
      byStream.set(held.stream, [...(byStream.get(held.stream) ?? []), held.entryId]);
    }
    for (const [stream, ids] of byStream) {
      await this.reclaimer.keepAlive(stream, ids, this.keepAliveCheckEveryMs);
    }
  }

  private async createGroups(startId: '$' | '0'): Promise<void> {
    for (const stream of this.streamKeys) await this.own.createGroup(stream, this.o.subscription.group, startId);
  }

  private async stepFailed(error: unknown): Promise<void> {
    this.nextAbandonedScanAt = 0; // a read whose reply was lost leaves entries with this consumer: look for them
    if (this.stopping || this.o.blocking.status !== 'ready') return; // the connection log tells about outages
    if (isNoGroup(error)) {
      // Redis lost the group (a restart without persistence): recreate it from the start of whatever the stream holds.
      this.warn(`consumer group ${this.o.subscription.group} is gone from Redis; recreating it`);
      await this.createGroups('0').catch(() => undefined);
      return;
    }
    this.warn(`reading events for ${this.o.subscription.group} failed: ${reason(error)}`);
    await this.idle(PAUSE_AFTER_ERROR_MS);
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    if (this.loop && !(await settledWithin(this.loop, 2 * BLOCK_MS + 1_000))) {
      this.o.blocking.disconnect();
      await this.loop;
    }
    await this.inFlight.drain();
    await this.settler.flush(this.o.commands).catch(() => undefined);
    if (this.o.blocking.status === 'ready' && this.settler.waiting === 0) {
      for (const stream of this.streamKeys) {
        await this.own.removeIdleConsumer(stream, this.o.subscription.group, this.o.consumer).catch(() => undefined);
      }
    }
    await closeConnection(this.o.blocking);
  }

  /** Waits `ms`, or less if woken (a handler finished, or close). Leaves no timer behind. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => wake(), ms);
      const wake = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      this.wake = wake;
    });
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.o.log.warn(message);
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Whether `work` settled within `ms`; leaves no timer behind. */
function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}
