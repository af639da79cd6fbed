import type { StreamCommands, StreamEntry, PendingEntry } from './stream-commands';

/** An entry this consumer just took over, with the delivery number it is delivered as. */
export interface Claimed {
  stream: string;
  entry: StreamEntry;
  deliveryCount: number;
}

/** Lines read per XPENDING call, and how many such pages one scan may read per stream. */
const PAGE = 100;
const MAX_PAGES = 10;

export interface ReclaimerOptions {
  commands: StreamCommands;
  streams: readonly string[];
  group: string;
  consumer: string;
  retryConsumer: string;
  retryDelayMs(deliveryCount: number): number;
  maxDeliveries: number;
  /** An entry another consumer has held this long without touching it was left by a dead (or hung) instance. */
  abandonedAfterMs: number;
}

/**
 * Finds, in a group's pending entries, the ones this consumer should (re)deliver, and claims them with XCLAIM,
 * which counts one more delivery and restarts their idle time. The rule, all state kept in Redis:
 * - an entry held by the retry consumer (its handler asked for a retry) is due once it has been idle for
 *   `retryDelayMs(times delivered)`: the retry delay, counted from the failure;
 * - an entry held by another instance is taken only after `abandonedAfterMs` idle: a live instance restarts the
 *   idle time of what it has in hand every few seconds (`keepAlive`), so only a dead or hung instance loses its
 *   entries, however long a handler runs;
 * - an entry held by this very consumer but not in hand (a read whose reply was lost to a connection drop, or the
 *   last life of an instance with the same id) is taken at once.
 * Every claim passes the idle time it relied on as XCLAIM's min-idle-time, so when two instances race for an entry
 * the first claim restarts its idle time and the second finds nothing to take.
 */
export class PendingReclaimer {
  private readonly minRetryDelayMs: number;

  constructor(private readonly o: ReclaimerOptions) {
    let min = Infinity;
    for (let n = 1; n <= Math.min(o.maxDeliveries, 1000); n++) min = Math.min(min, o.retryDelayMs(n));
    this.minRetryDelayMs = Math.max(0, Number.isFinite(min) ? Math.floor(min) : 0);
  }

  /** Failed entries whose retry delay has passed; at most `room`. */
  dueRetries(room: number): Promise<Claimed[]> {
    const { retryConsumer, retryDelayMs } = this.o;
    return this.scan(room, { minIdleMs: this.minRetryDelayMs, consumer: retryConsumer }, (line) => {
      const delay = Math.max(0, Math.ceil(retryDelayMs(line.deliveries)));
      return line.idleMs >= delay ? delay : undefined;
    });
  }

  /** Entries of other instances untouched for `abandonedAfterMs`; at most `room`. */
  abandoned(room: number): Promise<Claimed[]> {
    const { consumer, retryConsumer, abandonedAfterMs } = this.o;
    return this.scan(room, { minIdleMs: abandonedAfterMs }, (line) =>
      line.consumer !== consumer && line.consumer !== retryConsumer ? abandonedAfterMs : undefined,
    );
  }

  /** Entries this consumer holds in Redis that are not among `held` (`stream id` keys, taken before the call). */
  orphans(held: ReadonlySet<string>, room: number): Promise<Claimed[]> {
    return this.scan(room, { minIdleMs: 0, consumer: this.o.consumer }, (line, stream) =>
      held.has(heldKey(stream, line.entryId)) ? undefined : 0,
    );
  }

  /** Restarts the idle time of entries in hand (only if still held and idle for `minIdleMs`: never one just settled). */
  async keepAlive(stream: string, ids: readonly string[], minIdleMs: number): Promise<void> {
    await this.o.commands.move(stream, this.o.group, this.o.consumer, minIdleMs, ids);
  }

  /**
   * Reads the pending entries of each stream page by page; `claimAfter` returns the min-idle-time to claim a line
   * with, or undefined to leave it. Claims at most `room` entries in all.
   */
  private async scan(
    room: number,
    filter: { minIdleMs: number; consumer?: string },
    claimAfter: (line: PendingEntry, stream: string) => number | undefined,
  ): Promise<Claimed[]> {
    const { commands, group, consumer } = this.o;
    const claimed: Claimed[] = [];
    for (const stream of this.o.streams) {
      let start = '-';
      for (let page = 0; page < MAX_PAGES && claimed.length < room; page++) {
        const lines = await commands.pending(stream, group, { ...filter, start, count: PAGE });
        const byMinIdle = new Map<number, Map<string, number>>();
        let wanted = room - claimed.length;
        for (const line of lines) {
          const minIdle = wanted > 0 ? claimAfter(line, stream) : undefined;
          if (minIdle === undefined) continue;
          wanted--;
          const ids = byMinIdle.get(minIdle) ?? new Map<string, number>();
          ids.set(line.entryId, line.deliveries);
          byMinIdle.set(minIdle, ids);
        }
        for (const [minIdle, ids] of byMinIdle) {
          for (const entry of await commands.claim(stream, group, consumer, minIdle, [...ids.keys()])) {
            claimed.push({ stream, entry, deliveryCount: (ids.get(entry.entryId) ?? 0) + 1 });
          }
        }
        if (lines.length < PAGE) break;
        start = `(${lines[lines.length - 1].entryId}`;
      }
      if (claimed.length >= room) break;
    }
    return claimed;
  }
}

/** How an entry in hand is named in the `held` set. */
export const heldKey = (stream: string, entryId: string): string => `${stream} ${entryId}`;
