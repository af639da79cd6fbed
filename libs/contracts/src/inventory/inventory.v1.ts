import { z } from 'zod';
import { defineService, method } from '../contract';
import { Cents, Id, Quantity, Sku } from '../fields';
import { CONTRACTS_PROTO_ROOT } from '../proto-root';

export const OrderLine = z.object({ sku: Sku, quantity: Quantity }).strict();
export const ReservedLine = z.object({ sku: Sku, quantity: Quantity, unitPriceCents: Cents }).strict();
export const Reservation = z.object({ orderId: Id, lines: z.array(ReservedLine), totalCents: Cents }).strict();
export const ReservationStatus = z.enum(['RESERVED', 'RELEASED']);
/** A reservation as inventory keeps it. RELEASED with no lines: released before it was made (a late Reserve is refused). */
export const ReservationRecord = z
  .object({ orderId: Id, status: ReservationStatus, lines: z.array(ReservedLine), totalCents: Cents })
  .strict();
/** Order ids asked for in one batch call. */
export const OrderIdBatch = z.array(Id).min(1).max(100);
export const StockLevel = z
  .object({ sku: Sku, available: z.number().int().min(0), reserved: z.number().int().min(0), unitPriceCents: Cents })
  .strict();

/** inventory.v1: owns stock; reserve / release. */
export const InventoryV1 = defineService({
  service: 'inventory',
  version: 'v1',
  grpcService: 'Inventory',
  protoRoot: CONTRACTS_PROTO_ROOT,
  protoFile: 'inventory/v1/inventory.proto',
  methods: {
    reserve: method({
      name: 'Reserve',
      request: z.object({ orderId: Id, items: z.array(OrderLine).min(1).max(100) }).strict(),
      requestType: 'ReserveRequest',
      response: Reservation,
      responseType: 'Reservation',
      idempotent: true,
    }),
    release: method({
      name: 'Release',
      request: z.object({ orderId: Id }).strict(),
      requestType: 'ReleaseRequest',
      response: z.object({ orderId: Id, released: z.boolean() }).strict(),
      responseType: 'ReleaseResponse',
      idempotent: true,
    }),
    listReservations: method({
      name: 'ListReservations',
      request: z.object({ orderIds: OrderIdBatch }).strict(),
      requestType: 'ListReservationsRequest',
      response: z.object({ items: z.array(ReservationRecord) }).strict(),
      responseType: 'ListReservationsResponse',
      idempotent: true,
    }),
    getStock: method({
      name: 'GetStock',
      request: z.object({ sku: Sku }).strict(),
      requestType: 'GetStockRequest',
      response: StockLevel,
      responseType: 'StockLevel',
      idempotent: true,
    }),
    listStock: method({
      name: 'ListStock',
      request: z.object({}).strict(),
      requestType: 'ListStockRequest',
      response: z.object({ items: z.array(StockLevel) }).strict(),
      responseType: 'ListStockResponse',
      idempotent: true,
    }),
  },
});

export type StockLevel = z.infer<typeof StockLevel>;
export type Reservation = z.infer<typeof Reservation>;
export type ReservationRecord = z.infer<typeof ReservationRecord>;
