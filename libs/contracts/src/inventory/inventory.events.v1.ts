import { z } from 'zod';
import { defineEvent } from '../contract';
import { Cents, Id, Timestamp } from '../fields';
import { ReservedLine } from './inventory.v1';

const event = <S extends z.ZodType>(name: string, schema: S) =>
  defineEvent({ service: 'inventory', version: 'v1', name, schema });

/** Events of inventory.v1. */
export const InventoryEventsV1 = {
  stockReserved: event(
    'StockReserved',
    z.object({ orderId: Id, lines: z.array(ReservedLine), totalCents: Cents, reservedAt: Timestamp }).strict(),
  ),
  stockReleased: event('StockReleased', z.object({ orderId: Id, releasedAt: Timestamp }).strict()),
} as const;
