import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { moneyOfCents, OrdersV2, OrderV2, RequestOf } from '@app/contracts';
import { Rpc, RpcError, StatusCode } from '@app/transport';
import { OrderRepository, visibleOrder } from './order.repository';

const M = OrdersV2.methods;

/**
 * orders.v2 handlers, served beside orders.v1 during the migration: the same orders, with the total as money
 * (`{amount: "17.98", currency: "EUR"}`) instead of integer cents. Reads only; v1 stays the way to place orders.
 */
@Controller()
export class OrdersV2Controller {
  constructor(private readonly orders: OrderRepository) {}

  /** A customer only sees its own orders: another's is NOT_FOUND, like a missing one (as in v1). */
  @Rpc(M.getOrder)
  @RequireScopes('orders:read')
  get(request: RequestOf<typeof M.getOrder>): OrderV2 {
    const stored = this.orders.find(request.id);
    if (!stored || stored.customerId !== request.customerId) {
      throw new RpcError(StatusCode.NOT_FOUND, `order ${request.id} not found`);
    }
    const { totalCents, ...order } = visibleOrder(stored);
    return { ...order, total: moneyOfCents(totalCents) };
  }
}
