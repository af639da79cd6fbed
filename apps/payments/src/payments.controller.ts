import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { PaymentsV1, RequestOf } from '@app/contracts';
import { CallContext, Rpc } from '@app/transport';
import { PaymentStore } from './payment.store';

const M = PaymentsV1.methods;

/** payments.v1 handlers. */
@Controller()
export class PaymentsController {
  constructor(private readonly payments: PaymentStore) {}

  @Rpc(M.charge)
  @RequireScopes('payments:charge')
  charge(request: RequestOf<typeof M.charge>, ctx: CallContext) {
    return this.payments.charge(request, ctx.idempotencyKey);
  }

  @Rpc(M.refund)
  @RequireScopes('payments:refund')
  refund(request: RequestOf<typeof M.refund>) {
    return this.payments.refund(request.orderId);
  }

  @Rpc(M.cancel)
  @RequireScopes('payments:refund')
  cancel(request: RequestOf<typeof M.cancel>) {
    return this.payments.cancel(request.orderId);
  }

  @Rpc(M.listPayments)
  @RequireScopes('payments:read')
  listPayments(request: RequestOf<typeof M.listPayments>) {
    return { items: this.payments.list(request.orderIds) };
  }

  @Rpc(M.getPayment)
  @RequireScopes('payments:read')
  getPayment(request: RequestOf<typeof M.getPayment>) {
    return this.payments.get(request.orderId);
  }
}
