import { Inject, Injectable } from '@nestjs/common';
import type { Notification } from '@app/contracts';
import { DATABASE, SqliteDatabase } from '@app/storage';

interface NotificationRow {
  id: string;
  customer_id: string;
  order_id: string;
  status: string;
  created_at: string;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  customerId: row.customer_id,
  orderId: row.order_id,
  status: row.status,
  createdAt: row.created_at,
});

/** Notifications per customer. The id is the event's id; the consumer's inbox keeps a redelivered event from adding one. */
@Injectable()
export class NotificationStore {
  /** Prepared once: preparing parses the SQL, a good part of a small transaction's cost. */
  private readonly statements;

  constructor(@Inject(DATABASE) db: SqliteDatabase) {
    this.statements = {
      add: db.prepare('INSERT OR IGNORE INTO notifications (id, customer_id, order_id, status, created_at) VALUES (?, ?, ?, ?, ?)'),
      forCustomer: db.prepare<[string], NotificationRow>('SELECT * FROM notifications WHERE customer_id = ? ORDER BY created_at, rowid'),
      forOrder: db.prepare<[string], NotificationRow>('SELECT * FROM notifications WHERE order_id = ? ORDER BY created_at, rowid'),
    };
  }

  /** Records a notification once per id; false when it was already there. */
  add(notification: Notification): boolean {
    const result = this.statements.add.run(notification.id, notification.customerId, notification.orderId, notification.status, notification.createdAt);
    return result.changes === 1;
  }

  forCustomer(customerId: string): Notification[] {
    return this.statements.forCustomer.all(customerId).map(toNotification);
  }

  forOrders(orderIds: readonly string[]): Notification[] {
    return [...new Set(orderIds)].flatMap((orderId) => this.statements.forOrder.all(orderId).map(toNotification));
  }
}
