import { Controller } from '@nestjs/common';
import { PaymentsV1, RequestOf } from '@app/contracts';
import { CallContext, Rpc } from '@app/transport';
import { PaymentStore } from './payment.store';

const M = PaymentsV1.methods;

/** payments.v1 handlers. */
@Controller()
export class PaymentsController {
  constructor(private readonly payments: PaymentStore) {}

  @Rpc(M.charge)
  charge(request: RequestOf<typeof M.charge>, ctx: CallContext) {
    return this.payments.charge(request, ctx.idempotencyKey);
  }

  @Rpc(M.refund)
  refund(request: RequestOf<typeof M.refund>) {
    return this.payments.refund(request.orderId);
  }

  @Rpc(M.getPayment)
  getPayment(request: RequestOf<typeof M.getPayment>) {
    return this.payments.get(request.orderId);
  }
}
