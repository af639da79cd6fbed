import { Body, Controller, Get, Global, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { trace } from '@opentelemetry/api';
import { ObservabilityModule } from '../nest/observability.module';
import { InMemoryTracing } from '../testing/in-memory-tracing';
import { installHttpTelemetry } from './install-http-telemetry';

const SERVICE = 'test:service-name';

@Global()
@Module({ providers: [{ provide: SERVICE, useValue: 'http-spec' }], exports: [SERVICE] })
class ServiceNameModule {}

/** A route that does its work after an await, as a handler calling a service does. */
@Controller('things')
class ThingsController {
  @Get()
  async list(): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    trace.getTracer('spec').startSpan('list-work').end();
    return [];
  }

  @Post()
  async create(@Body() body: { name: string }): Promise<{ name: string }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    trace.getTracer('spec').startSpan('create-work').end();
    return { name: body.name };
  }
}

@Module({ imports: [ServiceNameModule, ObservabilityModule.forService({ serviceToken: SERVICE })], controllers: [ThingsController] })
class TestApp {}

// One tracer provider for the file: the tracer of @app/observability keeps the provider it first delegates to.
const tracing = new InMemoryTracing();
beforeAll(() => {
  process.env.LOG_LEVEL = 'silent';
  tracing.start();
});
afterAll(async () => {
  await tracing.stop();
  delete process.env.LOG_LEVEL;
});

describe.each(['express', 'fastify'])('HTTP telemetry on %s', (platform) => {
  let app: INestApplication;
  let url = '';

  beforeAll(async () => {
    tracing.exporter.reset();
    app = platform === 'fastify'
      ? await NestFactory.create(TestApp, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(TestApp, { logger: false });
    installHttpTelemetry(app, 'http-spec');
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(() => app.close());

  it('makes the work of a route (after the body is read, after an await) a child of the request span', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect((await fetch(`${url}/things`, { headers: { traceparent } })).status).toBe(200);
    const created = await fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' });
    expect(await created.json()).toEqual({ name: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 10));

    const get = tracing.span('GET /things');
    expect(get.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(tracing.span('list-work').parentSpanContext?.spanId).toBe(get.spanContext().spanId);
    const post = tracing.span('POST /things');
    expect(tracing.span('create-work').parentSpanContext?.spanId).toBe(post.spanContext().spanId);
    expect(tracing.span('create-work').spanContext().traceId).toBe(post.spanContext().traceId);
  });

  it('installs no global interceptor (RPC and event handlers would pay for it)', () => {
    expect((app as unknown as { config: { getGlobalInterceptors(): unknown[] } }).config.getGlobalInterceptors()).toEqual([]);
  });
});
