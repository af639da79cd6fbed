import { Inject, Injectable, Logger } from '@nestjs/common';
import { DATABASE, SqliteDatabase } from '@app/storage';

/** What the inbox needs to know of an event: EventContext has it. */
export interface InboxEvent {
  eventId: string;
  type: string;
}

export type InboxOutcome<T> = { applied: true; result: T } | { applied: false };

/** How long applied event ids are kept: far longer than any redelivery or replay of the same event. */
export const INBOX_KEEP_MS = 7 * 24 * 3600_000;

/**
 * The idempotent-consumer inbox: `apply` runs an event's effect and records the event id in one IMMEDIATE SQLite
 * transaction, so an event delivered again (redelivery, a publish repeated after the bus's de-duplication window,
 * a replayed dead letter that had in fact been applied) has no second effect. The effect must only write to this
 * database, synchronously; if it throws, neither the effect nor the id is kept and the event is retried.
 */
@Injectable()
export class Inbox {
  private readonly insert;
  private readonly prune;
  private readonly seen;
  /** The transaction, made once (a transaction function per event would be made and thrown away each time). */
  private readonly applyOnce;
  private lastPrune = 0;
  private readonly log = new Logger('inbox');

  constructor(@Inject(DATABASE) db: SqliteDatabase) {
    this.insert = db.prepare('INSERT OR IGNORE INTO inbox (consumer, event_id, event_type, processed_at) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM inbox WHERE processed_at < ?');
    this.seen = db.prepare('SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?');
    this.applyOnce = db.transaction(<T>(consumer: string, event: InboxEvent, effect: () => T, now: number): InboxOutcome<T> => {
      if (this.insert.run(consumer, event.eventId, event.type, now).changes === 0) return { applied: false };
      return { applied: true, result: effect() };
    });
  }

  /** Applies `effect` unless `consumer` already applied this event. */
  apply<T>(consumer: string, event: InboxEvent, effect: () => T): InboxOutcome<T> {
    const now = Date.now();
    const outcome = this.applyOnce.immediate(consumer, event, effect, now) as InboxOutcome<T>;
    if (!outcome.applied) this.log.log(`${consumer} had applied ${event.type} ${event.eventId} already: ignored`);
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      this.prune.run(now - INBOX_KEEP_MS);
    }
    return outcome;
  }

  /** Whether `consumer` has applied the event. */
  has(consumer: string, eventId: string): boolean {
    return this.seen.get(consumer, eventId) !== undefined;
  }
}
