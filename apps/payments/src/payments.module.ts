import { Module } from '@nestjs/common';
import { MessagingModule, OutboxModule } from '@app/messaging';
import { SqliteModule } from '@app/storage';
import { SwitchboardModule } from '@app/transport';
import { PaymentStore } from './payment.store';
import { PaymentsController } from './payments.controller';
import { PAYMENTS_MIGRATIONS } from './payments.migrations';

@Module({
  imports: [
    SwitchboardModule.forService({ service: 'payments' }),
    MessagingModule.forService(),
    SqliteModule.forService({ service: 'payments', migrations: PAYMENTS_MIGRATIONS }),
    OutboxModule,
  ],
  controllers: [PaymentsController],
  providers: [PaymentStore],
})
export class PaymentsModule {}
