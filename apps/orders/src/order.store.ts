import { Injectable } from '@nestjs/common';
import type { Order } from '@app/contracts';

/** Orders, in memory (durable storage comes with the order-flow issue). */
@Injectable()
export class OrderStore {
  private readonly orders = new Map<string, Order>();

  save(order: Order): Order {
    this.orders.set(order.id, order);
    return order;
  }

  find(id: string): Order | undefined {
    return this.orders.get(id);
  }
}
