import { z } from 'zod';
import { defineEvent } from '../contract';
import { Cents, Id, Timestamp } from '../fields';

const event = <S extends z.ZodType>(name: string, schema: S) =>
  defineEvent({ service: 'payments', version: 'v1', name, schema });

/** Events of payments.v1. */
export const PaymentsEventsV1 = {
  paymentCaptured: event(
    'PaymentCaptured',
    z.object({ orderId: Id, paymentId: Id, amountCents: Cents, capturedAt: Timestamp }).strict(),
  ),
  paymentDeclined: event('PaymentDeclined', z.object({ orderId: Id, reason: z.string().max(200), declinedAt: Timestamp }).strict()),
  paymentRefunded: event(
    'PaymentRefunded',
    z.object({ orderId: Id, paymentId: Id, amountCents: Cents, refundedAt: Timestamp }).strict(),
  ),
} as const;
