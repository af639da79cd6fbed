import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Order, OrdersEventsV1, OrdersV1, RequestOf } from '@app/contracts';
import { Outbox } from '@app/messaging';
import { OrderRepository, StoredOrder } from './order.repository';

/**
 * Accepts an order: stores it PENDING and records OrderPlaced in the same transaction. The rest of the flow runs
 * from that event (OrderProcessor), so an accepted order is processed even if this process stops right after.
 */
@Injectable()
export class PlaceOrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly outbox: Outbox,
  ) {}

  place(request: RequestOf<typeof OrdersV1.methods.placeOrder>): Order {
    const order: StoredOrder = {
      id: randomUUID(),
      customerId: request.customerId,
      status: 'PENDING',
      items: request.items,
      totalCents: 0,
      createdAt: new Date().toISOString(),
      paymentMethod: request.paymentMethod,
    };
    this.orders.db.transaction(() => {
      this.orders.insert(order);
      this.outbox.add(OrdersEventsV1.orderPlaced, {
        orderId: order.id,
        customerId: order.customerId,
        items: order.items,
        placedAt: order.createdAt,
      });
    }).immediate();
    const { paymentMethod: _, ...visible } = order;
    return visible;
  }
}
