import { OUTBOX_MIGRATION } from '@app/messaging';

/** inventory's schema, one entry per version (never edit a shipped entry: add one). */
export const INVENTORY_MIGRATIONS = [
  `
  CREATE TABLE stock (
    sku TEXT PRIMARY KEY,
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    unit_price_cents INTEGER NOT NULL
  );
  CREATE TABLE reservations (
    order_id TEXT PRIMARY KEY,
    lines TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
    created_at INTEGER NOT NULL
  );
  ${OUTBOX_MIGRATION}
  `,
];
