import { Injectable } from '@nestjs/common';
import type { Notification } from '@app/contracts';

/** Notifications per customer, in memory (filled from order events by the order-flow issue). */
@Injectable()
export class NotificationStore {
  private readonly byCustomer = new Map<string, Notification[]>();

  add(notification: Notification): void {
    this.byCustomer.set(notification.customerId, [...this.forCustomer(notification.customerId), notification]);
  }

  forCustomer(customerId: string): Notification[] {
    return this.byCustomer.get(customerId) ?? [];
  }
}
