import { Body, Controller, Get, Headers, Param, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Id, Order, OrdersV1, OrderStatus } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { AuthenticatedClient } from '../auth/authenticated-client';
import { ApiErrors } from '../docs/openapi';
import { nodeResponse } from '../edge/node-http';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { IdempotencyKeyInUse, IdempotencyKeys, parseIdempotencyKey } from '../idempotency/idempotency-keys';
import type { StoredResponse } from '../idempotency/idempotency-store';
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
const ORDER_ID = '0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10';

@ApiTags('orders v1')
@ApiBearerAuth('bearer')
@Controller('v1/orders')
@UseGuards(BearerAuthGuard)
export class OrdersHttpController {
  constructor(
    @InjectClient(OrdersV1) private readonly orders: ServiceClient<typeof OrdersV1>,
    private readonly idempotency: IdempotencyKeys,
  ) {}

  /**
   * 202 Accepted with the order's id, its status as the orders service returns it (normally PENDING) and
   * `Location: /v1/orders/<id>` to follow it.
   *
   * SKUs are checked for shape only. Whether a SKU exists is the inventory's business, decided in the order
   * flow: an unknown SKU is accepted here and the order ends REJECTED with the reason, visible on GET. The gateway
   * does not call the inventory first, which would add a round trip to every order and still race with the stock.
   *
   * With an `Idempotency-Key` header (1-255 printable ASCII, else 400) the order is placed at most once per
   * customer and key: a retry with the same body gets the first answer again (`Idempotent-Replayed: true`), another
   * body 422, a retry while the first is still running 409 (IdempotencyKeys). The key also travels to orders in the
   * call metadata, which returns the order it already holds for this customer and key instead of a new one.
   * The key and the body are validated first: a 400 neither uses nor stores the key.
   */
  @Post()
  @ApiOperation({ summary: 'Place an order for yourself (the token\'s client); it is processed asynchronously' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-255 printable ASCII: the order is placed at most once per key' })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'paymentMethod'],
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'quantity'],
            properties: { sku: { type: 'string', example: 'SKU-COFFEE' }, quantity: { type: 'integer', minimum: 1, example: 2 } },
          },
        },
        paymentMethod: { type: 'string', example: 'visa', description: '"card-declined" is always declined' },
      },
    },
  })
  @ApiAcceptedResponse({
    description: 'accepted; follow Location (or the WebSocket /v1/events) for its status',
    schema: { example: { id: ORDER_ID, status: 'PENDING' } },
  })
  @ApiErrors(400, 401, 409, 413, 422)
  async place(
    @AuthenticatedClient() customerId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Res() reply: object,
  ): Promise<void> {
    const res = nodeResponse(reply);
    const idempotencyKey = parseIdempotencyKey(rawKey);
    const { items, paymentMethod } = parseBody(PlaceOrderBody, body, 'order');
    const accept = async (): Promise<StoredResponse> => {
      const order = await this.orders.placeOrder({ customerId, items, paymentMethod }, idempotencyKey === undefined ? {} : { idempotencyKey });
      const accepted: OrderAccepted = { id: order.id, status: order.status };
      return { statusCode: 202, headers: { location: `/v1/orders/${encodeURIComponent(order.id)}` }, body: accepted };
    };
    const { response, replayed } =
      idempotencyKey === undefined
        ? { response: await accept(), replayed: false }
        : await this.idempotency.run(customerId, idempotencyKey, { items, paymentMethod }, accept).catch((error: unknown) => {
            if (error instanceof IdempotencyKeyInUse) res.setHeader('Retry-After', String(error.retryAfterSeconds));
            throw error;
          });
    send(res, response, replayed);
  }

  /** Another customer's order is NOT_FOUND (404), exactly like one that does not exist. */
  @Get(':id')
  @ApiOperation({ summary: 'Read one of your orders (v1: total in integer cents)' })
  @ApiParam({ name: 'id', example: ORDER_ID })
  @ApiOkResponse({
    schema: {
      example: {
        id: ORDER_ID,
        customerId: 'demo',
        status: 'CONFIRMED',
        items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
        totalCents: 1798,
        createdAt: '2026-11-26T08:00:00.000Z',
      },
    },
  })
  @ApiErrors(400, 401, 404, 504)
  get(@AuthenticatedClient() customerId: string, @Param('id') id: string): Promise<Order> {
    if (!Id.safeParse(id).success) throw new RpcError(StatusCode.INVALID_ARGUMENT, 'invalid order id: 1-128 characters');
    return this.orders.getOrder({ id, customerId });
  }
}

/** Writes a (possibly replayed) response: its status, headers and JSON body. */
function send(res: ServerResponse, response: StoredResponse, replayed: boolean): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(response.body));
}
