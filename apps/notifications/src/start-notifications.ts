import { NotificationsV1 } from '@app/contracts';
import { httpPortFor, startService } from '@app/transport';
import { NotificationsModule } from './notifications.module';

export const startNotifications = () =>
  startService(NotificationsModule, { serves: [NotificationsV1], httpPort: httpPortFor('notifications') });
