import { Controller, INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Order, OrdersV1, RequestOf } from '@app/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CallContext,
  MemoryBroker,
  Rpc,
  RpcError,
  StatusCode,
  SwitchboardModule,
  connectSwitchboardServer,
} from '@app/transport';
import { testLogs } from './test-gateway';

const M = OrdersV1.methods;

/** What the fake orders service received and stored. */
@Injectable()
export class FakeOrdersState {
  readonly placed: RequestOf<typeof M.placeOrder>[] = [];
  /** The `idempotency-key` metadata of each PlaceOrder call (undefined: none). */
  readonly placedKeys: (string | undefined)[] = [];
  /** Errors the next PlaceOrder calls throw, one each, before storing anything. */
  readonly placeFailures: RpcError[] = [];
  /** How long PlaceOrder takes (to keep a request in flight). */
  placeDelayMs = 0;
  readonly reads: RequestOf<typeof M.getOrder>[] = [];
  readonly orders = new Map<string, Order>();

  get calls() {
    return this.placed.length + this.reads.length;
  }
}

/** orders.v1 as the gateway sees it: placeOrder stores a PENDING order, getOrder shows a customer its own. */
@Controller()
class FakeOrdersController {
  constructor(private readonly state: FakeOrdersState) {}

  @Rpc(M.placeOrder)
  async place(request: RequestOf<typeof M.placeOrder>, ctx: CallContext): Promise<Order> {
    this.state.placed.push(request);
    this.state.placedKeys.push(ctx.idempotencyKey);
    if (this.state.placeDelayMs > 0) await sleep(this.state.placeDelayMs);
    const failure = this.state.placeFailures.shift();
    if (failure) throw failure;
    const order: Order = {
      id: randomUUID(),
      customerId: request.customerId,
      status: 'PENDING',
      items: request.items,
      totalCents: 0,
      createdAt: new Date().toISOString(),
    };
    this.state.orders.set(order.id, order);
    return order;
  }

  @Rpc(M.getOrder)
  get(request: RequestOf<typeof M.getOrder>): Order {
    this.state.reads.push(request);
    const order = this.state.orders.get(request.id);
    if (!order || order.customerId !== request.customerId) throw new RpcError(StatusCode.NOT_FOUND, `order ${request.id} not found`);
    return order;
  }
}

export interface FakeOrders {
  readonly app: INestApplication;
  readonly state: FakeOrdersState;
}

/** The fake served over the memory transport on `broker`, wired like the apps (and the conformance harness). */
export async function startFakeOrders(broker: MemoryBroker): Promise<FakeOrders> {
  @Module({
    imports: [SwitchboardModule.forService({ service: 'orders', config: { transport: 'memory', memoryBroker: broker } })],
    controllers: [FakeOrdersController],
    providers: [FakeOrdersState],
  })
  class FakeOrdersModule {}

  const app = await NestFactory.create(FakeOrdersModule, { logger: testLogs, abortOnError: false });
  connectSwitchboardServer(app, [OrdersV1]);
  await app.startAllMicroservices();
  await app.init();
  return { app, state: app.get(FakeOrdersState) };
}
