import { Module } from '@nestjs/common';
import { SwitchboardModule } from '@app/transport';
import { PaymentStore } from './payment.store';
import { PaymentsController } from './payments.controller';

@Module({
  imports: [SwitchboardModule.forService({ service: 'payments' })],
  controllers: [PaymentsController],
  providers: [PaymentStore],
})
export class PaymentsModule {}
