import { DEAD_LETTERS_MIGRATION, INBOX_MIGRATION } from '@app/messaging';

/** notifications' schema, one entry per version (never edit a shipped entry: add one). */
export const NOTIFICATIONS_MIGRATIONS = [
  `
  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX notifications_by_customer ON notifications (customer_id, created_at);
  `,
  DEAD_LETTERS_MIGRATION,
  `
  ${INBOX_MIGRATION}
  CREATE INDEX notifications_by_order ON notifications (order_id);
  `,
];
