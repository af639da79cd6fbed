/**
 * The inbox table a consuming service adds to its migrations: the ids of the events each consumer has applied,
 * written in the same transaction as the effect (Inbox).
 */
export const INBOX_MIGRATION = `
CREATE TABLE inbox (
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  processed_at INTEGER NOT NULL,
  PRIMARY KEY (consumer, event_id)
) WITHOUT ROWID;
CREATE INDEX inbox_by_time ON inbox (processed_at);
`;
