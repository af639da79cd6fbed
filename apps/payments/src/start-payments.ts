import { PaymentsV1 } from '@app/contracts';
import { httpPortFor, startService } from '@app/transport';
import { PaymentsModule } from './payments.module';

export const startPayments = () => startService(PaymentsModule, { serves: [PaymentsV1], httpPort: httpPortFor('payments') });
