import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, SqliteDatabase } from '@app/storage';
import type { Metadata } from '@app/transport';
import type { SagaState, StepOutcome } from './saga-states';

/** A saga as stored. `context` is the metadata its steps run with (correlation id, trace context). */
export interface Saga {
  orderId: string;
  state: SagaState;
  totalCents: number;
  reason?: string;
  context: Metadata;
  attempts: number;
  lastError?: string;
  stepStartedAt: number;
  nextAttemptAt: number;
  leaseUntil: number;
  createdAt: number;
  updatedAt: number;
}

/** One line of a saga's log: a step that ended (done, rejected, timed out) or an attempt that failed. */
export interface SagaStep {
  step: SagaState;
  outcome: StepOutcome | 'failed';
  nextState: SagaState;
  detail?: string;
  at: number;
}

interface SagaRow {
  order_id: string;
  state: SagaState;
  total_cents: number;
  reason: string | null;
  context: string;
  attempts: number;
  last_error: string | null;
  step_started_at: number;
  next_attempt_at: number;
  lease_until: number;
  created_at: number;
  updated_at: number;
}

const toSaga = (row: SagaRow): Saga => ({
  orderId: row.order_id,
  state: row.state,
  totalCents: row.total_cents,
  ...(row.reason === null ? {} : { reason: row.reason }),
  context: JSON.parse(row.context),
  attempts: row.attempts,
  ...(row.last_error === null ? {} : { lastError: row.last_error }),
  stepStartedAt: row.step_started_at,
  nextAttemptAt: row.next_attempt_at,
  leaseUntil: row.lease_until,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** What a move may change besides the state. */
export interface SagaPatch {
  totalCents?: number;
  reason?: string;
}

/**
 * The sagas in orders' database. Every change is a compare-and-set on the state the caller read, so two processes
 * can never both move one saga; callers that move a saga to a final state do it inside the transaction that
 * finishes the order (`db.transaction`), so the order, its event and its saga move together.
 */
@Injectable()
export class SagaStore {
  private readonly statements;

  constructor(@Inject(DATABASE) readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        "INSERT INTO order_sagas (order_id, state, context, step_started_at, next_attempt_at, created_at, updated_at) VALUES (?, 'RESERVING', ?, ?, ?, ?, ?)",
      ),
      get: db.prepare<[string], SagaRow>('SELECT * FROM order_sagas WHERE order_id = ?'),
      claim: db.prepare(
        "UPDATE order_sagas SET lease_until = ? WHERE order_id = ? AND lease_until <= ? AND state NOT IN ('CONFIRMED', 'REJECTED')",
      ),
      renew: db.prepare('UPDATE order_sagas SET lease_until = ? WHERE order_id = ? AND lease_until = ?'),
      unclaim: db.prepare('UPDATE order_sagas SET lease_until = 0 WHERE order_id = ? AND lease_until = ?'),
      move: db.prepare(
        'UPDATE order_sagas SET state = ?, total_cents = ?, reason = ?, attempts = 0, last_error = NULL, step_started_at = ?, next_attempt_at = ?, updated_at = ? WHERE order_id = ? AND state = ?',
      ),
      failed: db.prepare(
        'UPDATE order_sagas SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE order_id = ? AND state = ?',
      ),
      log: db.prepare('INSERT INTO saga_steps (order_id, step, outcome, next_state, detail, at) VALUES (?, ?, ?, ?, ?, ?)'),
      steps: db.prepare<[string], { step: SagaState; outcome: SagaStep['outcome']; next_state: SagaState; detail: string | null; at: number }>(
        'SELECT step, outcome, next_state, detail, at FROM saga_steps WHERE order_id = ? ORDER BY seq',
      ),
      due: db.prepare<[number, number, number], { order_id: string }>(
        "SELECT order_id FROM order_sagas WHERE state NOT IN ('CONFIRMED', 'REJECTED') AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at LIMIT ?",
      ),
      unfinished: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM order_sagas WHERE state NOT IN ('CONFIRMED', 'REJECTED')"),
    };
  }

  /** Starts an order's saga at its first step; call in the transaction that stores the order. */
  create(orderId: string, context: Metadata, startAt: number, now = Date.now()): void {
    this.statements.insert.run(orderId, JSON.stringify(context), now, startAt, now, now);
  }

  get(orderId: string): Saga | undefined {
    const row = this.statements.get.get(orderId);
    return row && toSaga(row);
  }

  /** The saga's log, oldest first. */
  steps(orderId: string): SagaStep[] {
    return this.statements.steps.all(orderId).map((row) => ({
      step: row.step,
      outcome: row.outcome,
      nextState: row.next_state,
      ...(row.detail === null ? {} : { detail: row.detail }),
      at: row.at,
    }));
  }

  /** Takes the lease of an unfinished saga nobody holds; returns the lease's end (the token to renew it), or undefined. */
  claim(orderId: string, leaseMs: number, now = Date.now()): number | undefined {
    const until = now + leaseMs;
    return this.statements.claim.run(until, orderId, now).changes === 1 ? until : undefined;
  }

  /** Extends a lease still held; undefined when it was lost (another process took the saga over). */
  renew(orderId: string, lease: number, leaseMs: number, now = Date.now()): number | undefined {
    const until = Math.max(now + leaseMs, lease + 1);
    return this.statements.renew.run(until, orderId, lease).changes === 1 ? until : undefined;
  }

  unclaim(orderId: string, lease: number): void {
    this.statements.unclaim.run(orderId, lease);
  }

  /** Records a step's outcome and moves the saga from `saga.state` to `to`; false when it had moved already. */
  move(saga: Saga, outcome: StepOutcome, to: SagaState, patch: SagaPatch = {}, detail?: string, now = Date.now()): boolean {
    const totalCents = patch.totalCents ?? saga.totalCents;
    const reason = patch.reason ?? saga.reason ?? null;
    const moved = this.statements.move.run(to, totalCents, reason, now, now, now, saga.orderId, saga.state).changes === 1;
    if (moved) this.statements.log.run(saga.orderId, saga.state, outcome, to, detail ?? null, now);
    return moved;
  }

  /** Records a failed attempt of the current step and when to try again. */
  failed(saga: Saga, error: string, retryAt: number, now = Date.now()): void {
    this.db
      .transaction(() => {
        if (this.statements.failed.run(error, retryAt, now, saga.orderId, saga.state).changes === 1) {
          this.statements.log.run(saga.orderId, saga.state, 'failed', saga.state, error, now);
        }
      })
      .immediate();
  }

  /** Unfinished sagas whose next attempt is due and that nobody holds, soonest first. */
  due(limit: number, now = Date.now()): string[] {
    return this.statements.due.all(now, now, limit).map((row) => row.order_id);
  }

  /** How many sagas have not reached CONFIRMED or REJECTED. */
  unfinished(): number {
    return this.statements.unfinished.get()!.n;
  }
}
