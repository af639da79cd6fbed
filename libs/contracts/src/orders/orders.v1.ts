import { z } from 'zod';
import { defineService, method } from '../contract';
import { Cents, Id, Quantity, Sku, Timestamp } from '../fields';
import { CONTRACTS_PROTO_ROOT } from '../proto-root';

export const OrderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED']);
export const OrderItem = z.object({ sku: Sku, quantity: Quantity }).strict();
export const Order = z
  .object({
    id: Id,
    customerId: Id,
    status: OrderStatus,
    items: z.array(OrderItem),
    totalCents: Cents,
    reason: z.string().max(500).optional(),
    createdAt: Timestamp,
  })
  .strict();

/** orders.v1: owns orders and runs the place-order flow. */
export const OrdersV1 = defineService({
  service: 'orders',
  version: 'v1',
  grpcService: 'Orders',
  protoRoot: CONTRACTS_PROTO_ROOT,
  protoFile: 'orders/v1/orders.proto',
  methods: {
    placeOrder: method({
      name: 'PlaceOrder',
      request: z
        .object({ customerId: Id, items: z.array(OrderItem).min(1).max(100), paymentMethod: z.string().min(1).max(64) })
        .strict(),
      requestType: 'PlaceOrderRequest',
      response: Order,
      responseType: 'Order',
      idempotent: false,
      // An UNAVAILABLE from a connection lost mid-call may hide a placed order: never resend it blindly.
      retry: { maxAttempts: 1 },
    }),
    getOrder: method({
      name: 'GetOrder',
      request: z.object({ id: Id, customerId: Id }).strict(),
      requestType: 'GetOrderRequest',
      response: Order,
      responseType: 'Order',
      idempotent: true,
    }),
  },
});

export type Order = z.infer<typeof Order>;
export type OrderStatus = z.infer<typeof OrderStatus>;
