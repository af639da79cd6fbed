import { Global, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { recordBreakerState } from '../metrics/resilience-metrics';
import { recordClientCall } from '../metrics/rpc-metrics';
import { ReadinessChecks } from '../health/readiness-checks';
import { ObservabilityModule } from './observability.module';

const SERVICE = 'test:service-name';

@Global()
@Module({ providers: [{ provide: SERVICE, useValue: 'obs-spec' }], exports: [SERVICE] })
class ServiceNameModule {}

@Module({ imports: [ServiceNameModule, ObservabilityModule.forService({ serviceToken: SERVICE })] })
class TestApp {}

describe('ObservabilityModule', () => {
  let app: INestApplication;
  let url = '';
  let checks: ReadinessChecks;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    app = await NestFactory.create(TestApp, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    checks = app.get(ReadinessChecks);
  });

  afterAll(async () => {
    await app.close();
    delete process.env.LOG_LEVEL;
  });

  it('serves /metrics in the Prometheus text format, with the Switchboard and Node metrics', async () => {
    recordClientCall('obs-spec', 'orders', 'orders.v1.GetOrder', 'memory', 'NOT_FOUND', 0.003);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(
      'switchboard_rpc_client_duration_seconds_count{caller="obs-spec",target="orders",method="orders.v1.GetOrder",transport="memory",code="NOT_FOUND"} 1',
    );
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it('answers /health/live while the process runs', async () => {
    const res = await fetch(`${url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { process: { status: 'up', pid: process.pid } } });
  });

  it('is ready when every check holds, and answers 503 naming the check that does not', async () => {
    let brokerUp = true;
    checks.add('broker', () => {
      if (!brokerUp) throw new Error('not connected to NATS at nats://127.0.0.1:4222');
      return { url: 'nats://127.0.0.1:4222' };
    });
    const ok = await fetch(`${url}/health/ready`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', info: { broker: { status: 'up', url: 'nats://127.0.0.1:4222' }, lifecycle: { status: 'up' } } });

    brokerUp = false;
    const down = await fetch(`${url}/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'error',
      error: { broker: { status: 'down', message: 'not connected to NATS at nats://127.0.0.1:4222' } },
    });
  });

  it('stays ready while a circuit breaker of this service is open, naming the open breaker in the details', async () => {
    checks.add('broker', () => undefined);
    recordBreakerState('obs-spec', 'orders', 'closed');
    recordBreakerState('obs-spec', 'payments', 'open');
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      info: {
        downstream: {
          status: 'up',
          breakers: { orders: 'closed', payments: 'open' },
          open: ['payments'],
          message: expect.stringContaining('circuit open towards payments'),
        },
      },
    });
    recordBreakerState('obs-spec', 'payments', 'closed');
    const closed = await fetch(`${url}/health/ready`);
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as { info: { downstream: Record<string, unknown> } }).info.downstream).not.toHaveProperty('open');
  });

  it('gives a check that hangs 2 s, then reports it down', async () => {
    checks.add('slow', () => new Promise(() => undefined));
    const started = Date.now();
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { slow: { status: 'down', message: 'no answer within 2000 ms' } } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    checks.add('slow', () => undefined);
  });

  it('is not ready once the app begins to stop', async () => {
    checks.stopping = true;
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { lifecycle: { status: 'down', message: 'stopping' } } });
    checks.stopping = false;
  });
});
