/**
 * The saga tables: one row per order's saga (its state, what it carries, when to try again, who runs it) and the
 * log of every step it took. Orders already PENDING when this migration runs get a saga from the first step.
 */
export const SAGA_MIGRATION = `
CREATE TABLE order_sagas (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  state TEXT NOT NULL CHECK (state IN ('RESERVING', 'CHARGING', 'REFUNDING', 'RELEASING', 'CONFIRMED', 'REJECTED')),
  total_cents INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  context TEXT NOT NULL DEFAULT '{}',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  step_started_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX order_sagas_due ON order_sagas (next_attempt_at) WHERE state NOT IN ('CONFIRMED', 'REJECTED');
CREATE TABLE saga_steps (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  step TEXT NOT NULL,
  outcome TEXT NOT NULL,
  next_state TEXT NOT NULL,
  detail TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX saga_steps_by_order ON saga_steps (order_id, seq);
INSERT INTO order_sagas (order_id, state, step_started_at, next_attempt_at, created_at, updated_at)
  SELECT id, 'RESERVING', updated_at, 0, updated_at, updated_at FROM orders WHERE status = 'PENDING';
`;
