import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Id, InventoryV1, Order, OrdersV1, Payment, PaymentsV1, StockLevel } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { AuthenticatedClient } from '../auth/authenticated-client';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { ApiErrors } from '../docs/openapi';

/** A part of the summary that could not be had in time, and why (the code and message of the failed call). */
export interface DegradedPart {
  part: 'payment' | 'stock';
  code: string;
  message: string;
  sku?: string;
}

export interface OrderSummary {
  order: Order;
  /** The order's payment; null when there is none (a pending or rejected order) or it could not be had (degraded). */
  payment: Payment | null;
  /** The current stock of each SKU of the order that could be had. */
  stock: StockLevel[];
  /** What is missing because a downstream was slow, down, or its breaker open; empty when the summary is whole. */
  degraded: DegradedPart[];
}

const EXAMPLE: OrderSummary = {
  order: {
    id: '0b9f0d3e-5a3c-4a4e-9d0e-6f1f3c2b7a10',
    customerId: 'demo',
    status: 'CONFIRMED',
    items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
    totalCents: 1798,
    createdAt: '2026-11-26T08:00:00.000Z',
  },
  payment: null,
  stock: [{ sku: 'SKU-COFFEE', available: 48, reserved: 2 } as StockLevel],
  degraded: [{ part: 'payment', code: 'UNAVAILABLE', message: 'circuit breaker for payments is open' }],
};

/**
 * `GET /v1/orders/:id/summary`: the order, its payment and the current stock of its SKUs in one document. The
 * payment is asked for at the same time as the order, the stock of every SKU at once as soon as the order names
 * them; all within one deadline (SUMMARY_DEADLINE_MS). The order is required (its errors are the answer: 404,
 * 503, ...); a payment or stock call that fails or runs out of time leaves its part out and names it under
 * `degraded`, with 200. The clients' circuit breakers (libs/resilience) make a dead downstream fail fast instead
 * of being called again and again. The payment is shown only once the order proved to be the caller's.
 */
@ApiTags('orders v1')
@ApiBearerAuth('bearer')
@Controller('v1/orders')
@UseGuards(BearerAuthGuard)
export class OrderSummaryHttpController {
  constructor(
    @InjectClient(OrdersV1) private readonly orders: ServiceClient<typeof OrdersV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get(':id/summary')
  @ApiOperation({
    summary: 'One of your orders with its payment and the stock of its SKUs, fetched concurrently; parts a slow or down service could not give are listed under degraded',
  })
  @ApiParam({ name: 'id', description: 'the order id' })
  @ApiOkResponse({ description: 'the summary (200 also when degraded)', schema: { example: EXAMPLE } })
  @ApiErrors(400, 401, 404, 504)
  async summary(@AuthenticatedClient() customerId: string, @Param('id') id: string): Promise<OrderSummary> {
    if (!Id.safeParse(id).success) throw new RpcError(StatusCode.INVALID_ARGUMENT, 'invalid order id: 1-128 characters');
    const deadline = Date.now() + this.config.edge.summaryDeadlineMs;
    const degraded: DegradedPart[] = [];
    const failed = (part: DegradedPart['part'], error: unknown, sku?: string) => {
      const rpc = RpcError.from(error);
      degraded.push({ part, code: StatusCode[rpc.code], message: rpc.message, ...(sku ? { sku } : {}) });
    };

    const payment = this.payments.getPayment({ orderId: id }, { deadline }).then(
      (found) => ({ found }),
      (error: unknown) => ({ error }),
    );
    const order = await this.orders.getOrder({ id, customerId }, { deadline });
    const skus = [...new Set(order.items.map((item) => item.sku))];
    const [paid, ...levels] = await Promise.all([
      payment,
      ...skus.map((sku) =>
        this.inventory.getStock({ sku }, { deadline }).then(
          (level) => ({ sku, level }),
          (error: unknown) => ({ sku, error }),
        ),
      ),
    ]);

    let shownPayment: Payment | null = null;
    if ('found' in paid) shownPayment = paid.found;
    else if (!(paid.error instanceof RpcError && paid.error.code === StatusCode.NOT_FOUND)) failed('payment', paid.error);
    const stock: StockLevel[] = [];
    for (const result of levels) {
      if ('level' in result) stock.push(result.level);
      else failed('stock', result.error, result.sku);
    }
    return { order, payment: shownPayment, stock, degraded };
  }
}
