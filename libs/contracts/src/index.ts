export * from './contract';
export * from './fields';
export * from './inventory/inventory.v1';
export * from './payments/payments.v1';
export * from './orders/orders.v1';
export * from './notifications/notifications.v1';
export { ALL_CONTRACTS } from './registry';
