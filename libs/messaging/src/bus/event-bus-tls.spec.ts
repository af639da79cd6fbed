import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NatsServerProcess, RedisServerProcess } from '@app/testing';
import { TestCertificates } from '@app/testing/brokers/test-certificates';
import { loadTransportConfig, RpcError, StatusCode, TransportTls } from '@app/transport';
import { loadEventBusConfig } from '../config/event-bus-config';
import { createEventBus } from './create-event-bus';
import type { DeliveredEvent, EventBus } from './event-bus';

/** The event buses reach a broker that requires TLS with client certificates through the transport's TLS settings. */
describe.each(['nats', 'redis'] as const)('event bus %s over TLS', (transport) => {
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let broker: NatsServerProcess | RedisServerProcess;
  const buses: EventBus[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    certs = TestCertificates.make(['orders', transport]);
    otherCa = TestCertificates.make(['orders']);
    const tls = certs.files(transport);
    broker = await (transport === 'nats' ? new NatsServerProcess({ tls }) : new RedisServerProcess({ tls })).start();
  });
  afterEach(async () => void (await Promise.all(buses.splice(0).map((bus) => bus.close()))));
  afterAll(async () => {
    await broker.dispose();
    certs.dispose();
    otherCa.dispose();
  });

  /** A bus configured the way the apps configure it: from the transport's settings (TLS included). */
  const bus = (tls: TransportTls) => {
    const url = transport === 'nats' ? { natsUrl: broker.url } : { redisUrl: broker.url };
    const settings = loadTransportConfig({ TRANSPORT: transport }, { ...url, tls, namespace: `tls-${randomUUID().slice(0, 8)}` });
    const b = createEventBus(loadEventBusConfig(settings, {}));
    buses.push(b);
    return b;
  };
  const event = () => ({ id: randomUUID(), type: 'spec.v1.Happened', body: '{"n":1}', metadata: {} });

  it('publishes and delivers with a certificate from the CA', async () => {
    const b = bus(certs.tls('orders'));
    const delivered: DeliveredEvent[] = [];
    await b.subscribe({
      group: 'audit',
      types: ['spec.v1.Happened'],
      maxDeliveries: 3,
      retryDelayMs: () => 100,
      concurrency: 1,
      handle: async (e) => (delivered.push(e), 'ack'),
    });
    const sent = event();
    await b.publish(sent);
    const until = Date.now() + 10_000;
    while (delivered.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(delivered.map((e) => e.id)).toEqual([sent.id]);
  });

  it('cannot publish with a certificate from another CA: UNAVAILABLE, promptly', async () => {
    const b = bus({ ...otherCa.tls('orders'), ca: certs.tls('orders').ca });
    const started = Date.now();
    const error = await b.publish(event()).then(
      () => new Error('published'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(StatusCode.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
