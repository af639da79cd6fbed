import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) a service's SQLite file in WAL mode, so several processes of one service can share it,
 * and applies the migrations it has not seen yet: migration i runs once, recorded in `PRAGMA user_version`.
 */
export function openDatabase(file: string, migrations: readonly string[]): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const migrate = db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    for (let version = applied; version < migrations.length; version++) db.exec(migrations[version]);
    if (migrations.length > applied) db.pragma(`user_version = ${migrations.length}`);
  });
  migrate.immediate();
  return db;
}
