import type { EventOutcome } from '../bus/event-bus';
import { heldKey } from './pending-reclaimer';
import { isNoGroup, StreamCommands } from './stream-commands';

interface Settlement {
  stream: string;
  entryId: string;
  outcome: EventOutcome;
}

/**
 * Settles the entries whose handler finished: ack and dead -> XACK; retry -> the entry moves to the group's retry
 * consumer, which restarts its idle time (the retry delay runs from now) without counting a delivery. What Redis
 * cannot take right now is kept, in order, for `flush` once Redis is back; an entry whose group is gone is dropped
 * (there is nothing left to settle).
 */
export class EntrySettler {
  private readonly unsettled: Settlement[] = [];

  constructor(
    private readonly group: string,
    private readonly retryConsumer: string,
  ) {}

  /** Entries waiting to be settled, as `heldKey`s: this consumer still holds them in Redis on purpose. */
  heldKeys(): string[] {
    return this.unsettled.map((s) => heldKey(s.stream, s.entryId));
  }

  get waiting(): number {
    return this.unsettled.length;
  }

  /** Never throws: a settlement Redis did not take waits for `flush`. */
  async settle(commands: StreamCommands, settlement: Settlement): Promise<void> {
    try {
      await this.apply(commands, settlement);
    } catch (error) {
      if (!isNoGroup(error)) this.unsettled.push(settlement);
    }
  }

  /** Settles what waits, oldest first; throws (keeping the rest) when Redis fails. */
  async flush(commands: StreamCommands): Promise<void> {
    while (this.unsettled.length > 0) {
      try {
        await this.apply(commands, this.unsettled[0]);
      } catch (error) {
        if (!isNoGroup(error)) throw error;
      }
      this.unsettled.shift();
    }
  }

  private async apply(commands: StreamCommands, { stream, entryId, outcome }: Settlement): Promise<void> {
    if (outcome === 'retry') await commands.move(stream, this.group, this.retryConsumer, 0, [entryId]);
    else await commands.ack(stream, this.group, [entryId]);
  }
}
