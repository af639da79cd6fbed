import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { EVENTS_AUDIENCE, ServiceAuthModule, ServiceTokenIssuer } from '@app/auth';
import { OrdersEventsV1 } from '@app/contracts';
import { createEventBus, EventBus, loadEventBusConfig } from '@app/messaging';
import { loadTransportConfig, MemoryBroker, Metadata } from '@app/transport';
import { startTestGateway, TestGateway } from '../testing/test-gateway';

/** The push feed's checks, on the memory bus: only orders' signed events of the socket's own customer are pushed. */
describe('order status push (gateway spec)', () => {
  let gateway: TestGateway;
  let bus: EventBus;
  const tokenOf: Record<string, (audience: string) => string> = {};

  beforeAll(async () => {
    gateway = await startTestGateway(new MemoryBroker());
    bus = createEventBus(loadEventBusConfig(loadTransportConfig({ TRANSPORT: 'memory' })));
    for (const service of ['orders', 'inventory']) {
      @Module({ imports: [ServiceAuthModule.forService({ service })] })
      class Publisher {}
      const context = await NestFactory.createApplicationContext(Publisher, { logger: false });
      const issuer = context.get(ServiceTokenIssuer);
      tokenOf[service] = (audience) => issuer.authorizationFor(audience);
    }
  });
  afterAll(async () => {
    await bus?.close();
    await gateway?.close();
  });

  const confirm = async (customerId: string, metadata: Metadata) => {
    const orderId = randomUUID();
    const body = { orderId, customerId, totalCents: 899, confirmedAt: new Date().toISOString() };
    await bus.publish({ id: randomUUID(), type: OrdersEventsV1.orderConfirmed.type, body: JSON.stringify(body), metadata });
    return orderId;
  };

  async function socketOf(client: string): Promise<{ received: { orderId?: string; type: string }[]; close(): void }> {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/events`, ['switchboard.v1', `bearer.${await gateway.token(client)}`]);
    const received: { orderId?: string; type: string }[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    expect(socket.protocol).toBe('switchboard.v1');
    return { received, close: () => socket.close() };
  }

  const until = async (check: () => boolean) => {
    for (const end = Date.now() + 5000; !check(); ) {
      if (Date.now() > end) throw new Error('not in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it("pushes the events orders signed for the socket's customer, and nothing forged or someone else's", async () => {
    const alice = await socketOf('alice');
    const forgedNone = await confirm('alice', {});
    const forgedByInventory = await confirm('alice', { authorization: tokenOf.inventory(EVENTS_AUDIENCE) });
    const wrongAudience = await confirm('alice', { authorization: tokenOf.orders('gateway') });
    const bobs = await confirm('bob', { authorization: tokenOf.orders(EVENTS_AUDIENCE) });
    const real = await confirm('alice', { authorization: tokenOf.orders(EVENTS_AUDIENCE) });
    await until(() => alice.received.some((m) => m.orderId === real));
    // Events are handled concurrently: give the refused ones time to have been (wrongly) pushed.
    await new Promise((r) => setTimeout(r, 300));
    const pushed = alice.received.filter((m) => m.type === 'order.status').map((m) => m.orderId);
    expect(pushed).toEqual([real]);
    for (const id of [forgedNone, forgedByInventory, wrongAudience, bobs]) expect(pushed).not.toContain(id);
    alice.close();
  });
});
