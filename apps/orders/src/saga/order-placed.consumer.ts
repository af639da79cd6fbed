import { Controller } from '@nestjs/common';
import { EventOf, OrdersEventsV1 } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { PlaceOrderSaga } from './place-order-saga';

/**
 * Starts an order's saga as soon as OrderPlaced arrives. The saga's progress is kept in the database, so the event
 * is acked once the saga has run as far as it can: a step to try again later is the scheduler's job, not the bus's.
 */
@Controller()
export class OrderPlacedConsumer {
  constructor(private readonly saga: PlaceOrderSaga) {}

  @OnEvent(OrdersEventsV1.orderPlaced)
  placed(event: EventOf<typeof OrdersEventsV1.orderPlaced>): Promise<void> {
    return this.saga.advance(event.orderId);
  }
}
