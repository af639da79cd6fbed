import type { EventOutcome } from '../bus/event-bus';
import { heldKey } from './pending-reclaimer';
import { isNoGroup, StreamCommands } from './stream-commands';

interface Settlement {
  stream: string;
  entryId: string;
  outcome: EventOutcome;
}

/** Most ids one settling command carries. */
const MAX_IDS = 500;

/** What one command settles: the entries of one stream with one kind of outcome. */
interface Batch {
  stream: string;
  retry: boolean;
  settlements: Settlement[];
}

/**
 * Settles the entries whose handler finished: ack and dead -> XACK; retry -> the entry moves to the group's retry
 * consumer, which restarts its idle time (the retry delay runs from now) without counting a delivery. The entries
 * settled within one turn of the event loop go to Redis together, one command per stream and kind of outcome (one
 * XACK with many ids). What Redis cannot take right now is kept, in order, for `flush` once Redis is back; an entry
 * whose group is gone is dropped (there is nothing left to settle).
 */
export class EntrySettler {
  private readonly unsettled: Settlement[] = [];
  private queued: { settlement: Settlement; done: () => void }[] = [];
  private scheduled?: NodeJS.Immediate;

  constructor(
    private readonly group: string,
    private readonly retryConsumer: string,
    /** Where `settle` sends its batches. */
    private readonly commands: StreamCommands,
  ) {}

  /** Entries waiting to be settled, as `heldKey`s: this consumer still holds them in Redis on purpose. */
  heldKeys(): string[] {
    return this.unsettled.map((s) => heldKey(s.stream, s.entryId));
  }

  get waiting(): number {
    return this.unsettled.length;
  }

  /** Resolves once the entry is settled with the others of this turn, or kept for `flush`. Never throws. */
  settle(settlement: Settlement): Promise<void> {
    return new Promise((resolve) => {
      this.queued.push({ settlement, done: resolve });
      this.scheduled ??= setImmediate(() => void this.send());
    });
  }

  /** Settles what waits, oldest first; throws (keeping the rest) when Redis fails. */
  async flush(commands: StreamCommands): Promise<void> {
    while (this.unsettled.length > 0) {
      const batch = batchesOf(this.unsettled)[0];
      try {
        await this.apply(commands, batch);
      } catch (error) {
        if (!isNoGroup(error)) throw error;
      }
      const settled = new Set(batch.settlements);
      const rest = this.unsettled.filter((s) => !settled.has(s));
      this.unsettled.splice(0, this.unsettled.length, ...rest);
    }
  }

  private async send(): Promise<void> {
    this.scheduled = undefined;
    const queued = this.queued;
    this.queued = [];
    await Promise.all(
      batchesOf(queued.map((q) => q.settlement)).map(async (batch) => {
        try {
          await this.apply(this.commands, batch);
        } catch (error) {
          if (!isNoGroup(error)) this.unsettled.push(...batch.settlements);
        }
      }),
    );
    for (const { done } of queued) done();
  }

  private async apply(commands: StreamCommands, { stream, retry, settlements }: Batch): Promise<void> {
    const ids = settlements.map((s) => s.entryId);
    if (retry) await commands.move(stream, this.group, this.retryConsumer, 0, ids);
    else await commands.ack(stream, this.group, ids);
  }
}

/** The settlements grouped by stream and kind of outcome, in the order each group first appears. */
function batchesOf(settlements: readonly Settlement[]): Batch[] {
  const batches: Batch[] = [];
  const open = new Map<string, Batch>();
  for (const settlement of settlements) {
    const retry = settlement.outcome === 'retry';
    const key = `${retry ? 'r' : 'a'} ${settlement.stream}`;
    let batch = open.get(key);
    if (!batch || batch.settlements.length >= MAX_IDS) {
      batch = { stream: settlement.stream, retry, settlements: [] };
      open.set(key, batch);
      batches.push(batch);
    }
    batch.settlements.push(settlement);
  }
  return batches;
}
