import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Id, Order, OrdersV1, OrderStatus } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { AuthenticatedClient } from '../auth/authenticated-client';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { parseBody, PlaceOrderBody } from './place-order.body';

export interface OrderAccepted {
  id: string;
  status: OrderStatus;
}

/**
 * A customer's orders: `POST /v1/orders` places one, `GET /v1/orders/:id` reads one. The customer is the
 * authenticated client (the token's `sub`), never a field of the request. Errors of the orders service reach the
 * client through the RpcErrorFilter (NOT_FOUND 404, INVALID_ARGUMENT 400, UNAVAILABLE 503, ...).
 */
@Controller('v1/orders')
@UseGuards(BearerAuthGuard)
export class OrdersHttpController {
  constructor(@InjectClient(OrdersV1) private readonly orders: ServiceClient<typeof OrdersV1>) {}

  /**
   * 202 Accepted with the order's id, its status as the orders service returns it (normally PENDING) and
   * `Location: /v1/orders/<id>` to follow it.
   *
   * SKUs are checked for shape only. Whether a SKU exists is the inventory's business, decided in the order
   * flow: an unknown SKU is accepted here and the order ends REJECTED with the reason, visible on GET. The gateway
   * does not call the inventory first, which would add a round trip to every order and still race with the stock.
   */
  @Post()
  @HttpCode(202)
  async place(
    @AuthenticatedClient() customerId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<OrderAccepted> {
    const { items, paymentMethod } = parseBody(PlaceOrderBody, body, 'order');
    const order = await this.orders.placeOrder({ customerId, items, paymentMethod });
    res.setHeader('Location', `/v1/orders/${encodeURIComponent(order.id)}`);
    return { id: order.id, status: order.status };
  }

  /** Another customer's order is NOT_FOUND (404), exactly like one that does not exist. */
  @Get(':id')
  get(@AuthenticatedClient() customerId: string, @Param('id') id: string): Promise<Order> {
    if (!Id.safeParse(id).success) throw new RpcError(StatusCode.INVALID_ARGUMENT, 'invalid order id: 1-128 characters');
    return this.orders.getOrder({ id, customerId });
  }
}
