import type { DeliveredEvent, OutgoingEvent } from '../bus/event-bus';
import { DUPLICATE_WINDOW_MS } from '../config/event-bus-config';

/** A subscriber instance attached to a group: takes events while it has room. */
export interface MemoryConsumer {
  hasRoom(): boolean;
  deliver(event: DeliveredEvent): void;
}

interface Group {
  types: Set<string>;
  queue: DeliveredEvent[];
  consumers: MemoryConsumer[];
  cursor: number;
  retryTimers: Set<NodeJS.Timeout>;
}

/**
 * The in-process broker of the memory event bus: a queue per subscribing group (fan-out at publish), the group's
 * instances taking turns (competing consumers), retries scheduled here so they survive a consumer restart.
 * Durable for the life of the process only.
 */
export class MemoryEventBroker {
  static readonly shared = new MemoryEventBroker();

  private readonly groups = new Map<string, Group>();
  private readonly taps = new Set<{ types: ReadonlySet<string>; listener: (event: DeliveredEvent) => void }>();
  private readonly seen = new Map<string, number>();

  publish(event: OutgoingEvent): void {
    const now = Date.now();
    if ((this.seen.get(event.id) ?? -Infinity) > now - DUPLICATE_WINDOW_MS) return;
    this.seen.set(event.id, now);
    if (this.seen.size > 100_000) this.forgetOlderThan(now - DUPLICATE_WINDOW_MS);
    for (const tap of this.taps) {
      if (tap.types.has(event.type)) tap.listener({ ...event, metadata: { ...event.metadata }, deliveryCount: 1, publishedAt: now });
    }
    for (const group of this.groups.values()) {
      if (!group.types.has(event.type)) continue;
      group.queue.push({ ...event, metadata: { ...event.metadata }, deliveryCount: 0, publishedAt: now });
      this.pump(group);
    }
  }

  /** Attaches an instance to its group, creating the group (which then receives events from now on). */
  attach(name: string, types: readonly string[], consumer: MemoryConsumer): () => void {
    let group = this.groups.get(name);
    if (!group) {
      group = { types: new Set(), queue: [], consumers: [], cursor: 0, retryTimers: new Set() };
      this.groups.set(name, group);
    }
    for (const type of types) group.types.add(type);
    group.consumers.push(consumer);
    this.pump(group);
    const attached = group;
    return () => {
      attached.consumers = attached.consumers.filter((c) => c !== consumer);
    };
  }

  /** Hands every event of `types` published from now on to `listener` (no group, nothing queued); returns the detach. */
  tap(types: readonly string[], listener: (event: DeliveredEvent) => void): () => void {
    const tap = { types: new Set(types), listener };
    this.taps.add(tap);
    return () => void this.taps.delete(tap);
  }

  /** How many taps are attached (tests: a closed tap leaves none). */
  get tapCount(): number {
    return this.taps.size;
  }

  /** Puts an event back in its group's queue after `delayMs`. */
  retry(name: string, event: DeliveredEvent, delayMs: number): void {
    const group = this.groups.get(name);
    if (!group) return;
    const timer = setTimeout(() => {
      group.retryTimers.delete(timer);
      group.queue.push(event);
      this.pump(group);
    }, delayMs);
    group.retryTimers.add(timer);
  }

  /** Lets a consumer that got room back take more events. */
  pumpGroup(name: string): void {
    const group = this.groups.get(name);
    if (group) this.pump(group);
  }

  /** Stops pending retry timers (tests and process shutdown). */
  dispose(): void {
    for (const group of this.groups.values()) for (const timer of group.retryTimers) clearTimeout(timer);
    this.groups.clear();
    this.taps.clear();
  }

  private pump(group: Group): void {
    while (group.queue.length > 0) {
      const consumer = this.nextWithRoom(group);
      if (!consumer) return;
      const event = group.queue.shift()!;
      consumer.deliver({ ...event, deliveryCount: event.deliveryCount + 1 });
    }
  }

  private nextWithRoom(group: Group): MemoryConsumer | undefined {
    for (let i = 0; i < group.consumers.length; i++) {
      const consumer = group.consumers[(group.cursor + i) % group.consumers.length];
      if (consumer.hasRoom()) {
        group.cursor = (group.cursor + i + 1) % group.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  private forgetOlderThan(limit: number): void {
    for (const [id, at] of this.seen) if (at < limit) this.seen.delete(id);
  }
}
