import { OUTBOX_MIGRATION } from '@app/messaging';

/** payments' schema, one entry per version (never edit a shipped entry: add one). */
export const PAYMENTS_MIGRATIONS = [
  `
  CREATE TABLE payments (
    order_id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL UNIQUE,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('CAPTURED', 'REFUNDED')),
    idempotency_key TEXT,
    created_at INTEGER NOT NULL
  );
  ${OUTBOX_MIGRATION}
  `,
  // Orders cancelled before anything was captured: a Charge for them is refused.
  `
  CREATE TABLE payment_voids (
    order_id TEXT PRIMARY KEY,
    voided_at INTEGER NOT NULL
  );
  `,
];
