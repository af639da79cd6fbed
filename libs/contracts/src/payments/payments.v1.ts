import { z } from 'zod';
import { defineService, method } from '../contract';
import { Cents, Id } from '../fields';
import { CONTRACTS_PROTO_ROOT } from '../proto-root';

export const PaymentStatus = z.enum(['CAPTURED', 'REFUNDED']);
export const Payment = z
  .object({
    paymentId: Id,
    orderId: Id,
    amountCents: Cents,
    currency: z.string().regex(/^[A-Z]{3}$/),
    status: PaymentStatus,
  })
  .strict();

/** What Cancel did: refunded the order's capture, or voided the order (nothing was captured; no charge will be). */
export const CancelOutcome = z.enum(['REFUNDED', 'VOIDED']);

/** The payment method that is always declined, like a payment provider's test card. */
export const DECLINED_PAYMENT_METHOD = 'card-declined';

/** payments.v1: charges and refunds, at most once per order. */
export const PaymentsV1 = defineService({
  service: 'payments',
  version: 'v1',
  grpcService: 'Payments',
  protoRoot: CONTRACTS_PROTO_ROOT,
  protoFile: 'payments/v1/payments.proto',
  methods: {
    charge: method({
      name: 'Charge',
      request: z
        .object({
          orderId: Id,
          amountCents: Cents,
          currency: z.string().regex(/^[A-Z]{3}$/),
          paymentMethod: z.string().min(1).max(64),
        })
        .strict(),
      requestType: 'ChargeRequest',
      response: Payment,
      responseType: 'Payment',
      idempotent: true,
    }),
    refund: method({
      name: 'Refund',
      request: z.object({ orderId: Id }).strict(),
      requestType: 'RefundRequest',
      response: Payment,
      responseType: 'Payment',
      idempotent: true,
    }),
    cancel: method({
      name: 'Cancel',
      request: z.object({ orderId: Id }).strict(),
      requestType: 'CancelRequest',
      response: z.object({ orderId: Id, outcome: CancelOutcome, refundedCents: Cents }).strict(),
      responseType: 'CancelResponse',
      idempotent: true,
    }),
    listPayments: method({
      name: 'ListPayments',
      request: z.object({ orderIds: z.array(Id).min(1).max(100) }).strict(),
      requestType: 'ListPaymentsRequest',
      response: z.object({ items: z.array(Payment) }).strict(),
      responseType: 'ListPaymentsResponse',
      idempotent: true,
    }),
    getPayment: method({
      name: 'GetPayment',
      request: z.object({ orderId: Id }).strict(),
      requestType: 'GetPaymentRequest',
      response: Payment,
      responseType: 'Payment',
      idempotent: true,
    }),
  },
});

export type Payment = z.infer<typeof Payment>;
