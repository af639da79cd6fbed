import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Order, OrdersEventsV1, OrdersV1, RequestOf } from '@app/contracts';
import { Outbox } from '@app/messaging';
import { CallContext, propagatedMetadata, RpcError, StatusCode } from '@app/transport';
import { OrderRepository, StoredOrder, visibleOrder } from './order.repository';
import { SagaStore } from './saga/saga.store';

/** When the scheduler starts a saga whose OrderPlaced has not started it (the bus is down, say). */
const SAGA_START_FALLBACK_MS = 2000;

/**
 * Accepts an order: stores it PENDING, starts its saga and records OrderPlaced in the same transaction. The event
 * starts the saga at once (OrderPlacedConsumer); the stored saga makes sure it runs even if this process stops
 * right after, or the event is late (SagaScheduler).
 *
 * With an idempotency key (the call's `idempotency-key` metadata, the customer's Idempotency-Key at the gateway)
 * there is at most one order per customer and key, whatever the gateway remembers: a second PlaceOrder with the
 * same key and the same items and payment method returns the order already stored (no new order, no new event);
 * with anything else it is FAILED_PRECONDITION (422 at the gateway). The check and the insert are one IMMEDIATE
 * transaction, and a UNIQUE index on (customer_id, idempotency_key) backs it up across processes.
 */
@Injectable()
export class PlaceOrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly outbox: Outbox,
    private readonly sagas: SagaStore,
  ) {}

  place(request: RequestOf<typeof OrdersV1.methods.placeOrder>, idempotencyKey?: string): Order {
    const order: StoredOrder = {
      id: randomUUID(),
      customerId: request.customerId,
      status: 'PENDING',
      items: request.items,
      totalCents: 0,
      createdAt: new Date().toISOString(),
      paymentMethod: request.paymentMethod,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    };
    const placed = this.orders.db.transaction((): StoredOrder => {
      const existing = idempotencyKey === undefined ? undefined : this.orders.findByIdempotencyKey(request.customerId, idempotencyKey);
      if (existing) {
        if (!sameRequest(existing, request)) {
          throw new RpcError(
            StatusCode.FAILED_PRECONDITION,
            'this idempotency key was already used for a different order',
            { reason: 'IDEMPOTENCY_KEY_REUSED', orderId: existing.id },
          );
        }
        return existing;
      }
      this.orders.insert(order);
      this.sagas.create(order.id, propagatedMetadata('orders', CallContext.current()), Date.now() + SAGA_START_FALLBACK_MS);
      this.outbox.add(OrdersEventsV1.orderPlaced, {
        orderId: order.id,
        customerId: order.customerId,
        items: order.items,
        placedAt: order.createdAt,
      });
      return order;
    }).immediate();
    return visibleOrder(placed);
  }
}

/** Same items (in the same order) and payment method: a retry of the request that placed `order`. */
function sameRequest(order: StoredOrder, request: RequestOf<typeof OrdersV1.methods.placeOrder>): boolean {
  return order.paymentMethod === request.paymentMethod && JSON.stringify(order.items) === JSON.stringify(request.items);
}
