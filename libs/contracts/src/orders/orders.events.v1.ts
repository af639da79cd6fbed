import { z } from 'zod';
import { defineEvent } from '../contract';
import { Cents, Id, Timestamp } from '../fields';
import { OrderItem } from './orders.v1';

const event = <S extends z.ZodType>(name: string, schema: S) => defineEvent({ service: 'orders', version: 'v1', name, schema });

/** Events of orders.v1: one per status change of an order. */
export const OrdersEventsV1 = {
  orderPlaced: event(
    'OrderPlaced',
    z.object({ orderId: Id, customerId: Id, items: z.array(OrderItem).min(1), placedAt: Timestamp }).strict(),
  ),
  orderConfirmed: event(
    'OrderConfirmed',
    z.object({ orderId: Id, customerId: Id, totalCents: Cents, confirmedAt: Timestamp }).strict(),
  ),
  orderRejected: event(
    'OrderRejected',
    z.object({ orderId: Id, customerId: Id, reason: z.string().max(500), rejectedAt: Timestamp }).strict(),
  ),
} as const;
