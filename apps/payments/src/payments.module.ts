import { Module } from '@nestjs/common';
import { EVENT_TOKEN_STAMP, ServiceAuthModule } from '@app/auth';
import { MessagingModule, OutboxModule } from '@app/messaging';
import { SqliteModule } from '@app/storage';
import { DiscoveryModule } from '@app/discovery';
import { SwitchboardModule } from '@app/transport';
import { PaymentStore } from './payment.store';
import { PaymentsController } from './payments.controller';
import { PAYMENTS_MIGRATIONS } from './payments.migrations';

@Module({
  imports: [
    ServiceAuthModule.forService({ service: 'payments' }),
    DiscoveryModule.forRoot(),
    SwitchboardModule.forService({ service: 'payments' }),
    MessagingModule.forService({ stamps: [EVENT_TOKEN_STAMP] }),
    SqliteModule.forService({ service: 'payments', migrations: PAYMENTS_MIGRATIONS }),
    OutboxModule,
  ],
  controllers: [PaymentsController],
  providers: [PaymentStore],
})
export class PaymentsModule {}
