import { Module } from '@nestjs/common';
import { EVENT_TOKEN_STAMP, ServiceAuthModule } from '@app/auth';
import { DeadLetterAdminModule, InboxModule, MessagingModule } from '@app/messaging';
import { SqliteModule } from '@app/storage';
import { DiscoveryModule } from '@app/discovery';
import { SwitchboardModule } from '@app/transport';
import { NotificationStore } from './notification.store';
import { NotificationsController } from './notifications.controller';
import { NOTIFICATIONS_MIGRATIONS } from './notifications.migrations';
import { OrderEventsConsumer } from './order-events.consumer';

@Module({
  imports: [
    ServiceAuthModule.forService({ service: 'notifications' }),
    DiscoveryModule.forRoot(),
    SwitchboardModule.forService({ service: 'notifications' }),
    // Plain acks (no wait for the broker's confirmation): every @OnEvent handler here applies its effect through
    // the Inbox, so an event delivered again after a lost ack has no second effect. See AckMode.
    MessagingModule.forService({ stamps: [EVENT_TOKEN_STAMP], config: { ackMode: 'plain' } }),
    DeadLetterAdminModule.forService(),
    SqliteModule.forService({ service: 'notifications', migrations: NOTIFICATIONS_MIGRATIONS }),
    InboxModule,
  ],
  controllers: [NotificationsController, OrderEventsConsumer],
  providers: [NotificationStore],
})
export class NotificationsModule {}
