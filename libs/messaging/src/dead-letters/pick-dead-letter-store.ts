import type { SqliteDatabase } from '@app/storage';
import type { DeadLetterStore } from './dead-letter-store';
import { MemoryDeadLetterStore } from './memory-dead-letter-store';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

/** A service's dead-letter store, and, when its letters would last only as long as the process, why. */
export interface DeadLetterStorage {
  store: DeadLetterStore;
  /**
   * Set when the service has a database without the dead_letters table: the app logs it once it consumes events
   * (`eventConsumer`). An app that only publishes never records a dead letter, so it has nothing to warn about.
   */
  warning?: string;
}

/**
 * The dead-letter store of a service: its own SQLite database when it has one (SqliteModule) with the table of
 * DEAD_LETTERS_MIGRATION, else memory. A database without the table is a warning, not a failed start, so a service
 * that has not added the migration yet still runs (its dead letters then last as long as the process).
 */
export function pickDeadLetterStore(group: string, db: SqliteDatabase | undefined): DeadLetterStorage {
  if (db === undefined) return { store: new MemoryDeadLetterStore(group) };
  if (SqliteDeadLetterStore.available(db)) return { store: new SqliteDeadLetterStore(db, group) };
  return {
    store: new MemoryDeadLetterStore(group),
    warning:
      `${group}: the database has no dead_letters table (add DEAD_LETTERS_MIGRATION to its migrations); ` +
      'dead letters are kept in memory only',
  };
}
