import { InventoryV1 } from './inventory/inventory.v1';
import { NotificationsV1 } from './notifications/notifications.v1';
import { OrdersV1 } from './orders/orders.v1';
import { OrdersV2 } from './orders/orders.v2';
import { PaymentsV1 } from './payments/payments.v1';

/** Every service contract of the system, for tools and tests that walk all of them. */
export const ALL_CONTRACTS = [OrdersV1, OrdersV2, InventoryV1, PaymentsV1, NotificationsV1] as const;
