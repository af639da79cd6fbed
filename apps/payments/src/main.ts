import './tracing';
import { runMain } from '@app/transport';
import { startPayments } from './start-payments';

runMain('payments', startPayments);
