import { z } from 'zod';
import { defineService, method } from '../contract';
import { Id, Timestamp } from '../fields';
import { CONTRACTS_PROTO_ROOT } from '../proto-root';

export const Notification = z
  .object({ id: Id, customerId: Id, orderId: Id, status: z.string().min(1).max(32), createdAt: Timestamp })
  .strict();

/** notifications.v1: turns order events into notifications for customers. */
export const NotificationsV1 = defineService({
  service: 'notifications',
  version: 'v1',
  grpcService: 'Notifications',
  protoRoot: CONTRACTS_PROTO_ROOT,
  protoFile: 'notifications/v1/notifications.proto',
  methods: {
    listNotifications: method({
      name: 'ListNotifications',
      request: z.object({ customerId: Id }).strict(),
      requestType: 'ListNotificationsRequest',
      response: z.object({ items: z.array(Notification) }).strict(),
      responseType: 'ListNotificationsResponse',
      idempotent: true,
    }),
    listOrderNotifications: method({
      name: 'ListOrderNotifications',
      request: z.object({ orderIds: z.array(Id).min(1).max(100) }).strict(),
      requestType: 'ListOrderNotificationsRequest',
      response: z.object({ items: z.array(Notification) }).strict(),
      responseType: 'ListNotificationsResponse',
      idempotent: true,
    }),
  },
});

export type Notification = z.infer<typeof Notification>;
