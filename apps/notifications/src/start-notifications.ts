import { NotificationsV1 } from '@app/contracts';
import { eventConsumer } from '@app/messaging';
import { httpPortFor, startService } from '@app/transport';
import { NotificationsModule } from './notifications.module';

export const startNotifications = () =>
  startService(NotificationsModule, {
    serves: [NotificationsV1],
    httpPort: httpPortFor('notifications'),
    consumers: [eventConsumer],
  });
