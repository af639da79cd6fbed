import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { OrdersV1, RequestOf } from '@app/contracts';
import { Rpc, RpcError, StatusCode } from '@app/transport';
import { OrderRepository } from './order.repository';
import { PlaceOrderService } from './place-order.service';

const M = OrdersV1.methods;

/** orders.v1 handlers. */
@Controller()
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderService,
    private readonly orders: OrderRepository,
  ) {}

  /** Accepts the order (PENDING); it is processed asynchronously. */
  @Rpc(M.placeOrder)
  @RequireScopes('orders:place')
  place(request: RequestOf<typeof M.placeOrder>) {
    return this.placeOrder.place(request);
  }

  /** A customer only sees its own orders: another's is NOT_FOUND, like a missing one. */
  @Rpc(M.getOrder)
  @RequireScopes('orders:read')
  get(request: RequestOf<typeof M.getOrder>) {
    const order = this.orders.find(request.id);
    if (!order || order.customerId !== request.customerId) {
      throw new RpcError(StatusCode.NOT_FOUND, `order ${request.id} not found`);
    }
    const { paymentMethod: _, ...visible } = order;
    return visible;
  }
}
