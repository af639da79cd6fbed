import { DEAD_LETTERS_MIGRATION, OUTBOX_MIGRATION } from '@app/messaging';
import { SAGA_MIGRATION } from './saga/saga.migration';

/** orders' schema, one entry per version (never edit a shipped entry: add one). */
export const ORDERS_MIGRATIONS = [
  `
  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED')),
    items TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    total_cents INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX orders_by_customer ON orders (customer_id, created_at);
  ${OUTBOX_MIGRATION}
  `,
  DEAD_LETTERS_MIGRATION,
  // The Idempotency-Key a customer placed the order with: one order per customer and key.
  `
  ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
  CREATE UNIQUE INDEX orders_by_idempotency_key ON orders (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  `,
  SAGA_MIGRATION,
];
