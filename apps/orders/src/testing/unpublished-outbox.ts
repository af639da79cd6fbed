import { EventBus, Outbox, OutboxRelay, OutgoingEvent, SubscriptionHandle, TapHandle } from '@app/messaging';
import type { SqliteDatabase } from '@app/storage';

/** A bus nobody may use: the relay over it is never started. */
class UnusedBus implements EventBus {
  readonly name = 'memory' as const;
  async publish(_event: OutgoingEvent): Promise<void> {
    throw new Error('not used');
  }
  async subscribe(): Promise<SubscriptionHandle> {
    throw new Error('not used');
  }
  async tap(): Promise<TapHandle> {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

/** orders' outbox for specs: rows are written (and counted by the spec), never published. */
export const unpublishedOutbox = (db: SqliteDatabase) => new Outbox(db, 'orders', new OutboxRelay(db, new UnusedBus()));
