/**
 * The dead-letter table every consuming service adds to its migrations (next to OUTBOX_MIGRATION). Without it
 * the service keeps its dead letters in memory only, and says so at start.
 */
export const DEAD_LETTERS_MIGRATION = `
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  group_name TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  metadata TEXT NOT NULL,
  delivery_count INTEGER NOT NULL,
  error_code INTEGER NOT NULL,
  error_message TEXT NOT NULL,
  auth_refused INTEGER NOT NULL DEFAULT 0,
  published_at INTEGER,
  first_failed_at INTEGER NOT NULL,
  dead_lettered_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'dead',
  replays INTEGER NOT NULL DEFAULT 0,
  replay_started_at INTEGER,
  replayed_at INTEGER,
  UNIQUE (group_name, event_id)
);
CREATE INDEX dead_letters_by_type ON dead_letters (group_name, type, seq);
`;
