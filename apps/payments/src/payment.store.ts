import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DECLINED_PAYMENT_METHOD, Payment } from '@app/contracts';
import { RpcError, StatusCode } from '@app/transport';

export interface ChargeInput {
  orderId: string;
  amountCents: number;
  currency: string;
  paymentMethod: string;
}

/**
 * Payments, in memory: at most one charge per order (a repeated charge returns the first one), a declined card
 * is refused with FAILED_PRECONDITION, a refund happens once. (Durable storage comes with the order-flow issue.)
 */
@Injectable()
export class PaymentStore {
  private readonly byOrder = new Map<string, Payment>();

  charge(input: ChargeInput): Payment {
    const existing = this.byOrder.get(input.orderId);
    if (existing) {
      if (existing.amountCents !== input.amountCents || existing.currency !== input.currency) {
        throw new RpcError(StatusCode.ALREADY_EXISTS, `order ${input.orderId} was already charged a different amount`);
      }
      return existing;
    }
    if (input.paymentMethod === DECLINED_PAYMENT_METHOD) {
      throw new RpcError(StatusCode.FAILED_PRECONDITION, 'payment declined', { reason: 'card_declined' });
    }
    const payment: Payment = {
      paymentId: randomUUID(),
      orderId: input.orderId,
      amountCents: input.amountCents,
      currency: input.currency,
      status: 'CAPTURED',
    };
    this.byOrder.set(input.orderId, payment);
    return payment;
  }

  refund(orderId: string): Payment {
    const payment = this.get(orderId);
    if (payment.status === 'CAPTURED') this.byOrder.set(orderId, { ...payment, status: 'REFUNDED' });
    return this.get(orderId);
  }

  get(orderId: string): Payment {
    const payment = this.byOrder.get(orderId);
    if (!payment) throw new RpcError(StatusCode.NOT_FOUND, `no payment for order ${orderId}`, { orderId });
    return payment;
  }
}
