import { OrdersV1, OrdersV2 } from '@app/contracts';
import { eventConsumer } from '@app/messaging';
import { httpPortFor, startService } from '@app/transport';
import { OrdersModule } from './orders.module';

export const startOrders = () =>
  startService(OrdersModule, { serves: [OrdersV1, OrdersV2], httpPort: httpPortFor('orders'), consumers: [eventConsumer] });
