import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InventoryV1, NotificationsV1, OrdersV1, PaymentsV1 } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { ApiErrors } from '../docs/openapi';

/** How long one service may take to answer the health probe. */
const PROBE_TIMEOUT_MS = 1000;
/** An id no order, payment or customer has: the probes read nothing real. */
const PROBE_ID = 'health-probe';

/** Answers that mean the service could not be reached in time; any other answer (NOT_FOUND too) means it is up. */
const DOWN = new Set([StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED, StatusCode.RESOURCE_EXHAUSTED, StatusCode.CANCELLED]);

export interface ServiceHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface SystemHealth {
  status: 'ok' | 'degraded';
  services: Record<'orders' | 'inventory' | 'payments' | 'notifications', ServiceHealth>;
}

/**
 * `GET /v1/health`: each service's health as the gateway sees it, by one cheap read call over the configured
 * transport (so it also proves the path through the broker): up when it answers within 1 s, whatever the answer.
 */
@ApiTags('health')
@Controller('v1/health')
export class HealthHttpController {
  constructor(
    @InjectClient(OrdersV1) private readonly orders: ServiceClient<typeof OrdersV1>,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
    @InjectClient(NotificationsV1) private readonly notifications: ServiceClient<typeof NotificationsV1>,
  ) {}

  @Get()
  @ApiErrors()
  @ApiOperation({ summary: "Each service's health as the gateway reaches it (always 200; status degraded when one is down)" })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'ok',
        services: {
          orders: { status: 'up', latencyMs: 3 },
          inventory: { status: 'up', latencyMs: 2 },
          payments: { status: 'up', latencyMs: 2 },
          notifications: { status: 'up', latencyMs: 2 },
        },
      },
    },
  })
  async health(): Promise<SystemHealth> {
    const options = { timeoutMs: PROBE_TIMEOUT_MS };
    const [orders, inventory, payments, notifications] = await Promise.all([
      probe(() => this.orders.getOrder({ id: PROBE_ID, customerId: PROBE_ID }, options)),
      probe(() => this.inventory.listStock({}, options)),
      probe(() => this.payments.getPayment({ orderId: PROBE_ID }, options)),
      probe(() => this.notifications.listNotifications({ customerId: PROBE_ID }, options)),
    ]);
    const services = { orders, inventory, payments, notifications };
    const status = Object.values(services).every((s) => s.status === 'up') ? 'ok' : 'degraded';
    return { status, services };
  }
}

async function probe(call: () => Promise<unknown>): Promise<ServiceHealth> {
  const started = Date.now();
  try {
    await call();
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (error) {
    const rpc = RpcError.from(error);
    if (!DOWN.has(rpc.code)) return { status: 'up', latencyMs: Date.now() - started };
    return { status: 'down', latencyMs: Date.now() - started, error: `${StatusCode[rpc.code]}: ${rpc.message}` };
  }
}
