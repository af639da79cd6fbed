import { Logger } from '@nestjs/common';
import { freePort, NatsServerProcess } from '@app/testing';
import { ConformanceV1 } from '@app/testing/conformance/conformance.contract';
import { loadTransportConfig, TransportConfig } from '../config/transport-config';
import type { Dispatch, OutboundCall } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { NatsDriver } from './nats.driver';

/** What the conformance suite cannot see: NATS's own max_payload, and a broker that never comes up. */
describe('NatsDriver', () => {
  const broker = new NatsServerProcess();
  const drivers: NatsDriver[] = [];
  const MB = 1024 * 1024;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  afterEach(async () => void (await Promise.all(drivers.splice(0).map((d) => d.close()))));
  afterAll(() => broker.dispose());

  const driver = (overrides: Partial<TransportConfig> = {}) => {
    const d = new NatsDriver(loadTransportConfig({ TRANSPORT: 'nats' }, { natsUrl: broker.url, namespace: 'spec', ...overrides }));
    drivers.push(d);
    return d;
  };
  const call = (payload: { text: string }, metadata: Record<string, string> = {}): OutboundCall => ({
    method: ConformanceV1.methods.echo,
    payload,
    body: JSON.stringify(payload),
    metadata,
    deadline: Date.now() + 3000,
  });
  const echo: Dispatch = async ({ payload, metadata }) => ({ ...(payload as object), metadata });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (e: unknown) => (e instanceof RpcError ? StatusCode[e.code] : String(e)),
    );

  it('carries the metadata unchanged in headers', async () => {
    await driver().server([ConformanceV1]).listen(echo);
    const metadata = { 'x-correlation-id': 'c-1', authorization: 'Bearer a.b.c', 'x-custom': 'with spaces inside' };
    await expect(driver().client(ConformanceV1).send(call({ text: 'hi' }, metadata))).resolves.toEqual({ text: 'hi', metadata });
  });

  it("refuses a request over the broker's max_payload with RESOURCE_EXHAUSTED, and keeps the connection", async () => {
    await driver().server([ConformanceV1]).listen(echo);
    const client = driver({ maxPayloadBytes: 4 * MB }).client(ConformanceV1);
    await expect(codeOf(client.send(call({ text: 'x'.repeat(1.5 * MB) })))).resolves.toBe('RESOURCE_EXHAUSTED');
    await expect(client.send(call({ text: 'small' }))).resolves.toMatchObject({ text: 'small' });
  });

  it("answers RESOURCE_EXHAUSTED for a response over the broker's max_payload, and keeps serving", async () => {
    await driver({ maxPayloadBytes: 4 * MB })
      .server([ConformanceV1])
      .listen(async ({ payload }) => ((payload as { text: string }).text === 'big' ? { data: 'x'.repeat(1.5 * MB) } : payload));
    const client = driver({ maxPayloadBytes: 4 * MB }).client(ConformanceV1);
    await expect(codeOf(client.send(call({ text: 'big' })))).resolves.toBe('RESOURCE_EXHAUSTED');
    await expect(client.send(call({ text: 'small' }))).resolves.toEqual({ text: 'small' });
  });

  it('fails a call at once with UNAVAILABLE when the broker is not there', async () => {
    const client = driver({ natsUrl: `nats://127.0.0.1:${await freePort()}` }).client(ConformanceV1);
    const started = Date.now();
    await expect(codeOf(client.send(call({ text: 'anyone?' })))).resolves.toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps a server waiting for an absent broker until the driver closes', async () => {
    const d = driver({ natsUrl: `nats://127.0.0.1:${await freePort()}` });
    const listening = d.server([ConformanceV1]).listen(echo);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await d.close();
    await expect(listening).rejects.toThrow(/closed/);
  });

  it('fails pending calls UNAVAILABLE when the broker dies, and closes promptly while it is down', async () => {
    const own = await new NatsServerProcess().start();
    try {
      await driver({ natsUrl: own.url }).server([ConformanceV1]).listen(() => new Promise((resolve) => setTimeout(resolve, 300, {})));
      const d = driver({ natsUrl: own.url });
      const pending = codeOf(d.client(ConformanceV1).send(call({ text: 'hangs' })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await own.stop();
      await expect(pending).resolves.toBe('UNAVAILABLE');
      const started = Date.now();
      await Promise.all(drivers.splice(0).map((x) => x.close()));
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await own.dispose();
    }
  });
});
