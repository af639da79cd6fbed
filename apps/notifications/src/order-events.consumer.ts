import { Controller } from '@nestjs/common';
import { EventOf, OrdersEventsV1 } from '@app/contracts';
import { EventContext, Inbox, OnEvent } from '@app/messaging';
import { NotificationStore } from './notification.store';

const E = OrdersEventsV1;

/**
 * Turns each order status change into a notification for its customer, once per event (inbox). Because every
 * handler goes through the Inbox, the service acks events the plain way (NotificationsModule: `ackMode: 'plain'`);
 * a handler added here without the Inbox must not be, or that setting must go.
 */
@Controller()
export class OrderEventsConsumer {
  constructor(
    private readonly notifications: NotificationStore,
    private readonly inbox: Inbox,
  ) {}

  @OnEvent(E.orderPlaced)
  placed(event: EventOf<typeof E.orderPlaced>, ctx: EventContext) {
    this.record(ctx, event.orderId, event.customerId, 'PENDING', event.placedAt);
  }

  @OnEvent(E.orderConfirmed)
  confirmed(event: EventOf<typeof E.orderConfirmed>, ctx: EventContext) {
    this.record(ctx, event.orderId, event.customerId, 'CONFIRMED', event.confirmedAt);
  }

  @OnEvent(E.orderRejected)
  rejected(event: EventOf<typeof E.orderRejected>, ctx: EventContext) {
    this.record(ctx, event.orderId, event.customerId, 'REJECTED', event.rejectedAt);
  }

  private record(ctx: EventContext, orderId: string, customerId: string, status: string, createdAt: string) {
    this.inbox.apply(OrderEventsConsumer.name, ctx, () =>
      this.notifications.add({ id: ctx.eventId, customerId, orderId, status, createdAt }),
    );
  }
}
