import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { OrdersV1, RequestOf } from '@app/contracts';
import { CallContext, Rpc, RpcError, StatusCode } from '@app/transport';
import { OrderRepository, visibleOrder } from './order.repository';
import { PlaceOrderService } from './place-order.service';

const M = OrdersV1.methods;

/** orders.v1 handlers. */
@Controller()
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderService,
    private readonly orders: OrderRepository,
  ) {}

  /**
   * Accepts the order (PENDING); it is processed asynchronously. With an `idempotency-key` in the call metadata,
   * a second call with the same customer and key returns the first order (PlaceOrderService).
   */
  @Rpc(M.placeOrder)
  @RequireScopes('orders:place')
  place(request: RequestOf<typeof M.placeOrder>, ctx: CallContext) {
    return this.placeOrder.place(request, ctx.idempotencyKey);
  }

  /** A customer only sees its own orders: another's is NOT_FOUND, like a missing one. */
  @Rpc(M.getOrder)
  @RequireScopes('orders:read')
  get(request: RequestOf<typeof M.getOrder>) {
    const order = this.orders.find(request.id);
    if (!order || order.customerId !== request.customerId) {
      throw new RpcError(StatusCode.NOT_FOUND, `order ${request.id} not found`);
    }
    return visibleOrder(order);
  }
}
