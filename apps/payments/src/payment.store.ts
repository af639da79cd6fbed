import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DECLINED_PAYMENT_METHOD, Payment, PaymentsEventsV1 } from '@app/contracts';
import { Outbox } from '@app/messaging';
import { DATABASE, SqliteDatabase } from '@app/storage';
import { RpcError, StatusCode } from '@app/transport';

export interface ChargeInput {
  orderId: string;
  amountCents: number;
  currency: string;
  paymentMethod: string;
}

interface PaymentRow {
  order_id: string;
  payment_id: string;
  amount_cents: number;
  currency: string;
  status: 'CAPTURED' | 'REFUNDED';
}

const toPayment = (row: PaymentRow): Payment => ({
  paymentId: row.payment_id,
  orderId: row.order_id,
  amountCents: row.amount_cents,
  currency: row.currency,
  status: row.status,
});

export interface Cancellation {
  orderId: string;
  outcome: 'REFUNDED' | 'VOIDED';
  refundedCents: number;
}

/**
 * Payments in payments' SQLite database: at most one charge per order (a repeated charge returns the first), a
 * declined card is refused with FAILED_PRECONDITION, a refund happens once, and a cancelled order is never charged
 * (its capture is refunded, or it is voided so a late Charge is refused). Each change and its event commit
 * together (outbox).
 */
@Injectable()
export class PaymentStore {
  /** Prepared once: preparing parses the SQL, a good part of a small transaction's cost. */
  private readonly statements;

  constructor(
    @Inject(DATABASE) private readonly db: SqliteDatabase,
    private readonly outbox: Outbox,
  ) {
    this.statements = {
      find: db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE order_id = ?'),
      captured: db.prepare(
        "INSERT INTO payments (order_id, payment_id, amount_cents, currency, status, idempotency_key, created_at) VALUES (?, ?, ?, ?, 'CAPTURED', ?, ?)",
      ),
      refunded: db.prepare("UPDATE payments SET status = 'REFUNDED' WHERE order_id = ?"),
      void: db.prepare('INSERT OR IGNORE INTO payment_voids (order_id, voided_at) VALUES (?, ?)'),
      voided: db.prepare('SELECT 1 FROM payment_voids WHERE order_id = ?'),
    };
  }

  charge(input: ChargeInput, idempotencyKey?: string): Payment {
    return this.db.transaction(() => {
      const existing = this.find(input.orderId);
      if (existing) {
        if (existing.amountCents !== input.amountCents || existing.currency !== input.currency) {
          throw new RpcError(StatusCode.ALREADY_EXISTS, `order ${input.orderId} was already charged a different amount`);
        }
        return existing;
      }
      if (this.isVoided(input.orderId)) {
        throw new RpcError(StatusCode.FAILED_PRECONDITION, `order ${input.orderId} was cancelled`, { reason: 'order_cancelled' });
      }
      if (input.paymentMethod === DECLINED_PAYMENT_METHOD) {
        this.outbox.add(PaymentsEventsV1.paymentDeclined, {
          orderId: input.orderId,
          reason: 'card_declined',
          declinedAt: new Date().toISOString(),
        });
        return undefined;
      }
      const payment: Payment = {
        paymentId: randomUUID(),
        orderId: input.orderId,
        amountCents: input.amountCents,
        currency: input.currency,
        status: 'CAPTURED',
      };
      this.statements.captured.run(payment.orderId, payment.paymentId, payment.amountCents, payment.currency, idempotencyKey ?? null, Date.now());
      this.outbox.add(PaymentsEventsV1.paymentCaptured, {
        orderId: payment.orderId,
        paymentId: payment.paymentId,
        amountCents: payment.amountCents,
        capturedAt: new Date().toISOString(),
      });
      return payment;
    }).immediate() ?? declined();
  }

  refund(orderId: string): Payment {
    return this.db.transaction(() => {
      const payment = this.get(orderId);
      if (payment.status === 'REFUNDED') return payment;
      this.statements.refunded.run(orderId);
      this.outbox.add(PaymentsEventsV1.paymentRefunded, {
        orderId,
        paymentId: payment.paymentId,
        amountCents: payment.amountCents,
        refundedAt: new Date().toISOString(),
      });
      return { ...payment, status: 'REFUNDED' as const };
    }).immediate();
  }

  /**
   * Makes sure the order is not charged, once: refunds its capture if there is one, otherwise voids the order so a
   * Charge still on its way (one that timed out for the caller) is refused when it lands.
   */
  cancel(orderId: string): Cancellation {
    return this.db.transaction((): Cancellation => {
      const payment = this.find(orderId);
      if (payment) {
        const refunded = payment.status === 'REFUNDED' ? payment : this.refund(orderId);
        return { orderId, outcome: 'REFUNDED', refundedCents: refunded.amountCents };
      }
      this.statements.void.run(orderId, Date.now());
      return { orderId, outcome: 'VOIDED', refundedCents: 0 };
    }).immediate();
  }

  /** The payments of these orders (orders without one are left out). */
  list(orderIds: readonly string[]): Payment[] {
    return [...new Set(orderIds)].flatMap((orderId) => this.find(orderId) ?? []);
  }

  get(orderId: string): Payment {
    const payment = this.find(orderId);
    if (!payment) throw new RpcError(StatusCode.NOT_FOUND, `no payment for order ${orderId}`, { orderId });
    return payment;
  }

  private isVoided(orderId: string): boolean {
    return this.statements.voided.get(orderId) !== undefined;
  }

  private find(orderId: string): Payment | undefined {
    const row = this.statements.find.get(orderId);
    return row && toPayment(row);
  }
}

/** The declined event commits with the transaction; the caller then gets the error. */
function declined(): never {
  throw new RpcError(StatusCode.FAILED_PRECONDITION, 'payment declined', { reason: 'card_declined' });
}
