import './tracing';
import { runMain } from '@app/transport';
import { startOrders } from './start-orders';

runMain('orders', startOrders);
