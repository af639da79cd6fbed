import './tracing';
import { runMain } from '@app/transport';
import { startNotifications } from './start-notifications';

runMain('notifications', startNotifications);
