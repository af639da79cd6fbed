import './tracing';
import { Logger } from '@nestjs/common';
import { runMain } from '@app/transport';
import { startGateway } from '../../gateway/src/start-gateway';
import { startInventory } from '../../inventory/src/start-inventory';
import { startNotifications } from '../../notifications/src/start-notifications';
import { startOrders } from '../../orders/src/start-orders';
import { startPayments } from '../../payments/src/start-payments';

/**
 * All five apps in one process, each a separate Nest app with its own module and DI container, talking over the
 * transport that TRANSPORT names (`memory` by default: no broker needed).
 */
runMain('system', async () => {
  await startInventory();
  await startPayments();
  await startNotifications();
  await startOrders();
  await startGateway();
  new Logger('system').log(`all apps up on transport ${process.env.TRANSPORT || 'memory'}`);
});
