import { Controller, Logger } from '@nestjs/common';
import { EventOf, InventoryV1, OrdersEventsV1, PaymentsV1 } from '@app/contracts';
import { OnEvent, Outbox } from '@app/messaging';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { OrderRepository } from './order.repository';

/** Outcomes of a step that reject the order. Anything else is a fault: the event is retried (steps are idempotent). */
const REJECTING = new Set([StatusCode.FAILED_PRECONDITION, StatusCode.NOT_FOUND, StatusCode.INVALID_ARGUMENT]);

/**
 * Runs a placed order to its end: reserve the stock (inventory), charge the payment (payments), then CONFIRMED;
 * when stock is short, a SKU unknown or the charge declined, release what was taken and REJECTED with the reason.
 * Driven by OrderPlaced, so it resumes after a crash (the event is redelivered); reserve and charge are idempotent
 * per order, and the status only moves from PENDING once.
 */
@Controller()
export class OrderProcessor {
  private readonly log = new Logger(OrderProcessor.name);

  constructor(
    private readonly orders: OrderRepository,
    private readonly outbox: Outbox,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
  ) {}

  @OnEvent(OrdersEventsV1.orderPlaced)
  async process(event: EventOf<typeof OrdersEventsV1.orderPlaced>): Promise<void> {
    const order = this.orders.find(event.orderId);
    if (!order || order.status !== 'PENDING') return;

    let totalCents: number;
    try {
      ({ totalCents } = await this.inventory.reserve({ orderId: order.id, items: order.items }));
    } catch (error) {
      return this.rejectOrThrow(order.id, order.customerId, error);
    }
    try {
      await this.payments.charge(
        { orderId: order.id, amountCents: totalCents, currency: 'EUR', paymentMethod: order.paymentMethod },
        { idempotencyKey: `order-${order.id}` },
      );
    } catch (error) {
      if (error instanceof RpcError && REJECTING.has(error.code)) await this.inventory.release({ orderId: order.id });
      return this.rejectOrThrow(order.id, order.customerId, error);
    }
    this.finish(order.id, () => {
      if (this.orders.finish(order.id, 'CONFIRMED', totalCents)) {
        this.outbox.add(OrdersEventsV1.orderConfirmed, {
          orderId: order.id,
          customerId: order.customerId,
          totalCents,
          confirmedAt: new Date().toISOString(),
        });
      }
    });
  }

  private rejectOrThrow(orderId: string, customerId: string, error: unknown): void {
    if (!(error instanceof RpcError) || !REJECTING.has(error.code)) throw error;
    this.finish(orderId, () => {
      if (this.orders.finish(orderId, 'REJECTED', 0, error.message)) {
        this.outbox.add(OrdersEventsV1.orderRejected, {
          orderId,
          customerId,
          reason: error.message,
          rejectedAt: new Date().toISOString(),
        });
      }
    });
    this.log.log(`order ${orderId} rejected: ${error.message}`);
  }

  private finish(orderId: string, write: () => void): void {
    this.orders.db.transaction(write).immediate();
  }
}
