import { Logger } from '@nestjs/common';
import type { SqliteDatabase } from '@app/storage';
import type { DeadLetterStore } from './dead-letter-store';
import { MemoryDeadLetterStore } from './memory-dead-letter-store';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

/**
 * The dead-letter store of a service: its own SQLite database when it has one (SqliteModule) with the table of
 * DEAD_LETTERS_MIGRATION, else memory. A database without the table is a warning, not a failed start, so a service
 * that has not added the migration yet still runs (its dead letters then last as long as the process).
 */
export function createDeadLetterStore(
  group: string,
  db: SqliteDatabase | undefined,
  log = new Logger(`${group}:dead-letters`),
): DeadLetterStore {
  if (db === undefined) return new MemoryDeadLetterStore(group);
  if (SqliteDeadLetterStore.available(db)) return new SqliteDeadLetterStore(db, group);
  log.warn(
    `${group}: the database has no dead_letters table (add DEAD_LETTERS_MIGRATION to its migrations); ` +
      'dead letters are kept in memory only',
  );
  return new MemoryDeadLetterStore(group);
}
