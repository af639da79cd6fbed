import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { connect } from 'nats';
import { randomUUID } from 'node:crypto';
import { InventoryEventsV1, OrdersEventsV1 } from '@app/contracts';
import { createEventBus, loadEventBusConfig } from '@app/messaging';
import { NatsServerProcess, RedisServerProcess } from '@app/testing';
import { loadTransportConfig } from '@app/transport';
import { EVENT_TYPES, TailedEvent, tailEvents } from './tail-events.command';

const never = new Promise<void>(() => undefined);

describe('events tail', () => {
  it('knows every event type of the contracts', () => {
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['orders.v1.OrderPlaced', 'orders.v1.OrderConfirmed', 'inventory.v1.StockReserved', 'payments.v1.PaymentCaptured']));
  });

  it('refuses an unknown event type, naming the known ones', async () => {
    await expect(tailEvents({ types: ['orders.v1.OrderLost'], stop: never, onEvent: () => undefined })).rejects.toThrow(
      /unknown event type orders.v1.OrderLost; types: .*orders.v1.OrderPlaced/,
    );
  });

  it('refuses the in-process memory bus', async () => {
    const saved = { TRANSPORT: process.env.TRANSPORT, EVENT_BUS: process.env.EVENT_BUS };
    try {
      delete process.env.TRANSPORT;
      delete process.env.EVENT_BUS;
      await expect(tailEvents({ types: EVENT_TYPES, stop: never, onEvent: () => undefined })).rejects.toThrow(/memory event bus lives inside the system process/);
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
});

describe.each(['nats', 'redis'] as const)('events tail on %s', (kind) => {
  const broker = kind === 'nats' ? new NatsServerProcess() : new RedisServerProcess();
  const saved = { ...process.env };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  afterAll(async () => {
    process.env = saved;
    await broker.dispose();
  });

  it('prints the events of its types published from now on, without a token, and leaves no consumer or group', async () => {
    const namespace = `tail-${randomUUID().slice(0, 8)}`;
    Object.assign(process.env, { TRANSPORT: kind, EVENT_BUS: kind, SWITCHBOARD_NAMESPACE: namespace, NATS_URL: broker.url, REDIS_URL: broker.url });
    const bus = createEventBus({ ...loadEventBusConfig(loadTransportConfig(process.env)), instanceId: 'spec' });
    const placed = OrdersEventsV1.orderPlaced.type;
    await bus.publish({ id: randomUUID(), type: placed, body: '{"n":0}', metadata: {} }); // before the tail: not printed
    const printed: TailedEvent[] = [];
    const tailing = tailEvents({ types: [placed, OrdersEventsV1.orderConfirmed.type], limit: 2, stop: never, onEvent: (e) => printed.push(e) });
    await new Promise((r) => setTimeout(r, 1000)); // the tail opens
    for (let n = 1; n <= 3; n++) {
      await bus.publish({ id: randomUUID(), type: n === 2 ? InventoryEventsV1.stockReserved.type : placed, body: `{"n":${n}}`, metadata: { authorization: 'Bearer secret', 'x-correlation-id': `c-${n}` } });
    }
    expect(await tailing).toBe(2);
    expect(printed.map((e) => e.body)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(printed[0].metadata).not.toHaveProperty('authorization');
    if (kind === 'nats') {
      const nc = await connect({ servers: broker.url });
      const jsm = await nc.jetstreamManager();
      expect(await jsm.consumers.list(`${namespace}_events`).next()).toEqual([]);
      await nc.close();
    } else {
      const redis = new Redis(broker.url);
      expect(await redis.call('XINFO', 'GROUPS', `${namespace}:events:{${placed}}`)).toEqual([]);
      redis.disconnect();
    }
    await bus.close();
  });
});
