import { Module } from '@nestjs/common';
import { SwitchboardModule } from '@app/transport';
import { NotificationStore } from './notification.store';
import { NotificationsController } from './notifications.controller';

@Module({
  imports: [SwitchboardModule.forService({ service: 'notifications' })],
  controllers: [NotificationsController],
  providers: [NotificationStore],
})
export class NotificationsModule {}
