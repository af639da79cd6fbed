import { z } from 'zod';
import { defineService, method } from '../contract';
import { Id, Timestamp } from '../fields';
import { CONTRACTS_PROTO_ROOT } from '../proto-root';
import { OrderItem, OrderStatus } from './orders.v1';

/** An amount of money as a decimal string with two fraction digits (`"12.34"`) and an ISO 4217 currency. */
export const Money = z
  .object({
    amount: z.string().regex(/^(0|[1-9]\d{0,15})\.\d{2}$/, 'amount must be a decimal with two fraction digits'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code'),
  })
  .strict();

/** The currency of every price in the system (the seeded catalogue is priced in euros). */
export const ORDER_CURRENCY = 'EUR';

/** `1798` -> `{ amount: "17.98", currency }`: exact (integer arithmetic, no floating point). */
export function moneyOfCents(cents: number, currency: string = ORDER_CURRENCY): Money {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`cents must be a non-negative integer, got ${cents}`);
  const whole = Math.trunc(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  return { amount: `${whole}.${fraction}`, currency };
}

/** An order as orders.v2 shows it: v1's order with `total` money instead of `totalCents`. */
export const OrderV2 = z
  .object({
    id: Id,
    customerId: Id,
    status: OrderStatus,
    items: z.array(OrderItem),
    total: Money,
    reason: z.string().max(500).optional(),
    createdAt: Timestamp,
  })
  .strict();

/**
 * orders.v2: served beside orders.v1 by the orders service during the migration (same data, new shape). Adding v2
 * does not change v1; a breaking change to either is refused by the contract check (`npm run contracts:breaking`).
 */
export const OrdersV2 = defineService({
  service: 'orders',
  version: 'v2',
  grpcService: 'Orders',
  protoRoot: CONTRACTS_PROTO_ROOT,
  protoFile: 'orders/v2/orders.proto',
  methods: {
    getOrder: method({
      name: 'GetOrder',
      request: z.object({ id: Id, customerId: Id }).strict(),
      requestType: 'GetOrderRequest',
      response: OrderV2,
      responseType: 'Order',
      idempotent: true,
    }),
  },
});

export type Money = z.infer<typeof Money>;
export type OrderV2 = z.infer<typeof OrderV2>;
