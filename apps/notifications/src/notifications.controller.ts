import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { NotificationsV1, RequestOf } from '@app/contracts';
import { Rpc } from '@app/transport';
import { NotificationStore } from './notification.store';

const M = NotificationsV1.methods;

/** notifications.v1 handlers. */
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationStore) {}

  @Rpc(M.listNotifications)
  @RequireScopes('notifications:read')
  list(request: RequestOf<typeof M.listNotifications>) {
    return { items: this.notifications.forCustomer(request.customerId) };
  }

  @Rpc(M.listOrderNotifications)
  @RequireScopes('notifications:read')
  listForOrders(request: RequestOf<typeof M.listOrderNotifications>) {
    return { items: this.notifications.forOrders(request.orderIds) };
  }
}
