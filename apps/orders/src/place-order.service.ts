import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InventoryV1, Order, OrdersV1, PaymentsV1, RequestOf } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { OrderStore } from './order.store';

/** Business outcomes of a step: the order is rejected with a reason. Anything else is a fault and propagates. */
const REJECTING = new Set([StatusCode.FAILED_PRECONDITION, StatusCode.NOT_FOUND, StatusCode.INVALID_ARGUMENT]);

/**
 * Places an order: stores it PENDING, reserves the stock, charges the payment, then CONFIRMED; when stock is
 * short or the charge is declined, releases what it took and REJECTED with the reason.
 */
@Injectable()
export class PlaceOrderService {
  constructor(
    private readonly orders: OrderStore,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
  ) {}

  async place(request: RequestOf<typeof OrdersV1.methods.placeOrder>): Promise<Order> {
    const order = this.orders.save({
      id: randomUUID(),
      customerId: request.customerId,
      status: 'PENDING',
      items: request.items,
      totalCents: 0,
      createdAt: new Date().toISOString(),
    });
    const reject = (error: unknown) => {
      if (error instanceof RpcError && REJECTING.has(error.code)) {
        return this.orders.save({ ...order, status: 'REJECTED', reason: error.message });
      }
      throw error;
    };

    let totalCents: number;
    try {
      ({ totalCents } = await this.inventory.reserve({ orderId: order.id, items: request.items }));
    } catch (error) {
      return reject(error);
    }
    try {
      await this.payments.charge({
        orderId: order.id,
        amountCents: totalCents,
        currency: 'EUR',
        paymentMethod: request.paymentMethod,
      });
    } catch (error) {
      await this.inventory.release({ orderId: order.id });
      return reject(error);
    }
    return this.orders.save({ ...order, status: 'CONFIRMED', totalCents });
  }
}
