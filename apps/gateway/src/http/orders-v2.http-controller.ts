import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Id, OrdersV2, OrderV2 } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { AuthenticatedClient } from '../auth/authenticated-client';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { ApiErrors } from '../docs/openapi';

/** An order as `GET /v2/orders/:id` answers: orders.v2's order and links to follow. */
export type OrderV2View = OrderV2 & { links: { self: string; summary: string; v1: string } };

const EXAMPLE: OrderV2View = {
  id: '0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10',
  customerId: 'demo',
  status: 'CONFIRMED',
  items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
  total: { amount: '17.98', currency: 'EUR' },
  createdAt: '2026-11-26T08:00:00.000Z',
  links: {
    self: '/v2/orders/0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10',
    summary: '/v1/orders/0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10/summary',
    v1: '/v1/orders/0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10',
  },
};

/**
 * v2 of the orders API, beside v1: money as `{amount: "17.98", currency: "EUR"}` instead of integer cents, and
 * links. It calls orders.v2, which the orders service serves beside orders.v1 during the migration.
 */
@ApiTags('orders v2')
@ApiBearerAuth('bearer')
@Controller('v2/orders')
@UseGuards(BearerAuthGuard)
export class OrdersV2HttpController {
  constructor(@InjectClient(OrdersV2) private readonly orders: ServiceClient<typeof OrdersV2>) {}

  @Get(':id')
  @ApiOperation({ summary: 'Read one of your orders (v2: money as a decimal string with its currency, and links)' })
  @ApiParam({ name: 'id', description: 'the order id from POST /v1/orders' })
  @ApiOkResponse({ description: 'the order', schema: { example: EXAMPLE } })
  @ApiErrors(400, 401, 404, 504)
  async get(@AuthenticatedClient() customerId: string, @Param('id') id: string): Promise<OrderV2View> {
    if (!Id.safeParse(id).success) throw new RpcError(StatusCode.INVALID_ARGUMENT, 'invalid order id: 1-128 characters');
    const order = await this.orders.getOrder({ id, customerId });
    const path = encodeURIComponent(order.id);
    return { ...order, links: { self: `/v2/orders/${path}`, summary: `/v1/orders/${path}/summary`, v1: `/v1/orders/${path}` } };
  }
}
