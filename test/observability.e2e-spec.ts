import { InventoryEventsV1, InventoryV1, OrdersEventsV1, OrdersV1, PaymentsEventsV1, PaymentsV1 } from '@app/contracts';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { connect } from 'nats';
import { credentials, makeClientConstructor, ServiceError } from '@grpc/grpc-js';
import { service as grpcHealthService } from 'grpc-health-check';
import { ALL_APPS, AppName, OtlpReceiver, parsePrometheusText, ReceivedSpan, RunningSystem, sampleSum, SpanKinds, SystemTransport } from '@app/testing';

/**
 * Observability of the built system, on every transport. One order, one trace: the five built apps export their spans over OTLP/HTTP (JSON) to a test
 * receiver, and the order's trace must hold every hop with the right parent: the gateway's HTTP span, the
 * PlaceOrder call (client and server), the OrderPlaced event relayed from the outbox (producer, then a consumer in
 * orders and in notifications), the Reserve and Charge calls made by the flow, the events inventory and payments
 * publish, and OrderConfirmed reaching notifications. No span of the trace may point at a parent that is not in it.
 * Then, after that order: every app's /metrics (calls, events, outbox, breakers, HTTP), /health/live and
 * /health/ready, the request log lines, and on gRPC the standard grpc.health.v1 service, NOT_SERVING on SIGTERM.
 * On the brokered transports, the operator CLI (dist/apps/cli) calls methods, checks health and lists dead letters.
 */

/** Runs the built operator CLI with the system's settings; resolves with its exit code and output. */
function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'cli', 'main.js'), ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
const TRANSPORTS: SystemTransport[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];

const rpcName = (method: { grpcPath: string }) => method.grpcPath.slice(1);

describe.each(TRANSPORTS)('observability on %s', (transport) => {
  const receiver = new OtlpReceiver();
  let system: RunningSystem;
  /** The order placed by the first test, its trace and the token used. */
  let traceId = '';
  let token = '';
  let orderId = '';
  const bus = transport === 'memory' ? 'memory' : transport === 'redis' ? 'redis' : 'nats';

  beforeAll(async () => {
    await receiver.start();
    system = await new RunningSystem(transport, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      // Successful calls log at debug (a line per call is opt-in); this suite checks those lines.
      LOG_LEVEL: 'debug',
    }).start();
  });

  /** Apps a test stopped itself (the gRPC health test stops payments). */
  const stoppedEarly = new Set<string>();

  afterAll(async () => {
    const endings = await system?.stop();
    await receiver.close();
    expect(endings).toEqual(system.apps.map((app) => (stoppedEarly.has(app.app) ? expect.stringMatching(/^had already exited/) : 'graceful')));
  });

  it('links the gateway, every call and every event of a confirmed order into one trace', async () => {
    token = await system.token();
    const res = await fetch(`${system.httpUrl('gateway')}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ sku: 'SKU-COFFEE', quantity: 1 }], paymentMethod: 'visa' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    orderId = id;

    // The trace is the one whose PlaceOrder server span handled this order's request.
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'POST /v1/orders' && s.kind === SpanKinds.server), 15_000, 'the gateway span');
    const root = receiver.spans.find((s) => s.name === 'POST /v1/orders' && s.kind === SpanKinds.server)!;
    traceId = root.traceId;
    const traceOf = () => receiver.trace(root.traceId);
    const has = (name: string, kind: number, service?: string) => (spans: ReceivedSpan[]) =>
      spans.some((s) => s.traceId === root.traceId && s.name === name && s.kind === kind && (!service || s.attributes['messaging.consumer.group.name'] === service));
    // Every hop's span, as each process exports it (a consumer span ends, and is exported, after what it started).
    const expected = [
      has(rpcName(OrdersV1.methods.placeOrder), SpanKinds.client),
      has(rpcName(OrdersV1.methods.placeOrder), SpanKinds.server),
      has(`publish ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.producer),
      has(`process ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.consumer, 'orders'),
      has(`process ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.consumer, 'notifications'),
      has(rpcName(InventoryV1.methods.reserve), SpanKinds.client),
      has(rpcName(InventoryV1.methods.reserve), SpanKinds.server),
      has(`publish ${InventoryEventsV1.stockReserved.type}`, SpanKinds.producer),
      has(rpcName(PaymentsV1.methods.charge), SpanKinds.client),
      has(rpcName(PaymentsV1.methods.charge), SpanKinds.server),
      has(`publish ${PaymentsEventsV1.paymentCaptured.type}`, SpanKinds.producer),
      has(`publish ${OrdersEventsV1.orderConfirmed.type}`, SpanKinds.producer),
      has(`process ${OrdersEventsV1.orderConfirmed.type}`, SpanKinds.consumer, 'notifications'),
    ];
    await receiver.waitFor((spans) => expected.every((present) => present(spans)), 20_000, `the spans of order ${id}`);
    const trace = traceOf();
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const one = (name: string, kind: number, where: (s: ReceivedSpan) => boolean = () => true) => {
      const found = trace.filter((s) => s.name === name && s.kind === kind && where(s));
      expect(found.map((s) => `${s.service} ${s.name}`)).toHaveLength(1);
      return found[0];
    };
    const childOf = (parent: ReceivedSpan, name: string, kind: number, where?: (s: ReceivedSpan) => boolean) => {
      const span = one(name, kind, (s) => s.parentSpanId === parent.spanId && (where?.(s) ?? true));
      return span;
    };
    const group = (name: string) => (s: ReceivedSpan) => s.attributes['messaging.consumer.group.name'] === name;

    // Gateway -> orders.
    expect(root.parentSpanId).toBeUndefined();
    const placeClient = childOf(root, rpcName(OrdersV1.methods.placeOrder), SpanKinds.client);
    const placeServer = childOf(placeClient, rpcName(OrdersV1.methods.placeOrder), SpanKinds.server);
    // The outbox row written by PlaceOrder keeps its context: the relayed publish continues the trace.
    const placedPublish = childOf(placeServer, `publish ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.producer);
    const placedInOrders = childOf(placedPublish, `process ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.consumer, group('orders'));
    childOf(placedPublish, `process ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.consumer, group('notifications'));
    // The order flow, run by the OrderPlaced consumer.
    const reserveClient = childOf(placedInOrders, rpcName(InventoryV1.methods.reserve), SpanKinds.client);
    const reserveServer = childOf(reserveClient, rpcName(InventoryV1.methods.reserve), SpanKinds.server);
    childOf(reserveServer, `publish ${InventoryEventsV1.stockReserved.type}`, SpanKinds.producer);
    const chargeClient = childOf(placedInOrders, rpcName(PaymentsV1.methods.charge), SpanKinds.client);
    const chargeServer = childOf(chargeClient, rpcName(PaymentsV1.methods.charge), SpanKinds.server);
    childOf(chargeServer, `publish ${PaymentsEventsV1.paymentCaptured.type}`, SpanKinds.producer);
    const confirmed = childOf(placedInOrders, `publish ${OrdersEventsV1.orderConfirmed.type}`, SpanKinds.producer);
    childOf(confirmed, `process ${OrdersEventsV1.orderConfirmed.type}`, SpanKinds.consumer, group('notifications'));

    // One trace: every span's parent is in it, and only the gateway's span is a root.
    for (const span of trace) {
      if (span !== root) expect({ span: span.name, parentFound: byId.has(span.parentSpanId ?? '') }).toEqual({ span: span.name, parentFound: true });
    }
    // Each hop is reported by the process that made it (all one process on memory).
    const expectService = (span: ReceivedSpan, app: string) => expect(span.service).toBe(transport === 'memory' ? 'system' : app);
    expectService(root, 'gateway');
    expectService(placeClient, 'gateway');
    expectService(placeServer, 'orders');
    expectService(reserveServer, 'inventory');
    expectService(chargeServer, 'payments');
    expectService(trace.find(group('notifications'))!, 'notifications');
    // Conventions: RPC and messaging attributes.
    expect(reserveServer.attributes).toMatchObject({ 'rpc.service': 'inventory.v1.Inventory', 'rpc.method': 'Reserve', 'rpc.response.status_code': 'OK' });
    expect(reserveClient.attributes['rpc.system']).toBe(transport === 'grpc' ? 'grpc' : 'switchboard');
    expect(placedInOrders.attributes).toMatchObject({
      'messaging.destination.name': OrdersEventsV1.orderPlaced.type,
      'messaging.operation.type': 'process',
      'messaging.message.id': placedPublish.attributes['messaging.message.id'],
    });
    // A client's span context really is what the server received: the same trace id everywhere.
    expect(new Set(trace.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
  });

  const metricsOf = async (app: AppName) => {
    const res = await fetch(`${system.httpUrl(app)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  it('serves Prometheus metrics on every app: calls by caller, target, method, transport and code; events; outbox; breakers', async () => {
    const rpc = (side: 'client' | 'server', caller: string, method: { service: string; pattern: string }) => ({
      name: `switchboard_rpc_${side}_duration_seconds_count`,
      labels: { caller, target: method.service, method: method.pattern, transport, code: 'OK' },
    });
    const expected: Record<AppName, { name: string; labels: Record<string, string> }[]> = {
      gateway: [
        rpc('client', 'gateway', OrdersV1.methods.placeOrder),
        { name: 'switchboard_http_server_duration_seconds_count', labels: { service: 'gateway', method: 'POST', route: '/v1/orders', status: '202' } },
        { name: 'switchboard_circuit_breaker_state', labels: { caller: 'gateway', target: 'orders' } },
      ],
      orders: [
        rpc('server', 'gateway', OrdersV1.methods.placeOrder),
        rpc('client', 'orders', InventoryV1.methods.reserve),
        rpc('client', 'orders', PaymentsV1.methods.charge),
        { name: 'switchboard_events_published_total', labels: { service: 'orders', type: OrdersEventsV1.orderPlaced.type, bus, outcome: 'ok' } },
        { name: 'switchboard_events_published_total', labels: { service: 'orders', type: OrdersEventsV1.orderConfirmed.type, bus, outcome: 'ok' } },
        { name: 'switchboard_events_consumed_total', labels: { service: 'orders', type: OrdersEventsV1.orderPlaced.type, bus, outcome: 'ack' } },
        { name: 'switchboard_event_consumer_lag_seconds_count', labels: { service: 'orders', type: OrdersEventsV1.orderPlaced.type, bus } },
        { name: 'switchboard_circuit_breaker_state', labels: { caller: 'orders', target: 'inventory' } },
      ],
      inventory: [
        rpc('server', 'orders', InventoryV1.methods.reserve),
        { name: 'switchboard_events_published_total', labels: { service: 'inventory', type: InventoryEventsV1.stockReserved.type, bus, outcome: 'ok' } },
      ],
      payments: [
        rpc('server', 'orders', PaymentsV1.methods.charge),
        { name: 'switchboard_events_published_total', labels: { service: 'payments', type: PaymentsEventsV1.paymentCaptured.type, bus, outcome: 'ok' } },
      ],
      notifications: [
        { name: 'switchboard_events_consumed_total', labels: { service: 'notifications', type: OrdersEventsV1.orderPlaced.type, bus, outcome: 'ack' } },
        { name: 'switchboard_events_consumed_total', labels: { service: 'notifications', type: OrdersEventsV1.orderConfirmed.type, bus, outcome: 'ack' } },
      ],
    };
    for (const app of ALL_APPS) {
      const samples = await metricsOf(app);
      for (const { name, labels } of expected[app]) {
        const value = sampleSum(samples, name, labels);
        if (name === 'switchboard_circuit_breaker_state') expect({ app, name, labels, value }).toEqual({ app, name, labels, value: 0 });
        else expect({ app, name, labels, atLeastOne: (value ?? 0) >= 1 }).toEqual({ app, name, labels, atLeastOne: true });
      }
      // Node's own metrics, and no errors counted for the one good order.
      expect(sampleSum(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sampleSum(samples, 'switchboard_events_dead_lettered_total') ?? 0).toBe(0);
    }
    const orders = await metricsOf('orders');
    expect(sampleSum(orders, 'switchboard_outbox_backlog', { service: 'orders' })).toBe(0);
  });

  it('answers /health/live and /health/ready on every app, with the checks that apply to it', async () => {
    for (const app of ALL_APPS) {
      const live = await fetch(`${system.httpUrl(app)}/health/live`);
      expect({ app, status: live.status }).toEqual({ app, status: 200 });
      expect(await live.json()).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
      const ready = await fetch(`${system.httpUrl(app)}/health/ready`);
      const body = (await ready.json()) as { status: string; info: Record<string, { status: string }> };
      expect({ app, status: ready.status, body: body.status }).toEqual({ app, status: 200, body: 'ok' });
      const checks = Object.keys(body.info).sort();
      const expectedChecks = app === 'gateway' ? ['downstream', 'lifecycle', 'transport'] : ['database', 'downstream', 'events', 'lifecycle', 'transport'];
      expect({ app, checks }).toEqual({ app, checks: expectedChecks });
      expect(body.info.transport).toMatchObject({ status: 'up', transport });
    }
    // The gateway's downstream check sees its breaker towards orders (closed).
    const gateway = (await (await fetch(`${system.httpUrl('gateway')}/health/ready`)).json()) as { info: { downstream: { breakers: Record<string, string> } } };
    expect(gateway.info.downstream.breakers.orders).toBe('closed');
  });

  it('logs one JSON line per call and per HTTP request, with trace and span ids and the correlation id, and no token', () => {
    const lines = (app: AppName) =>
      system
        .process(app)
        .logs.split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const placeOrder = lines('orders').find((l) => l.kind === 'rpc' && l.method === OrdersV1.methods.placeOrder.pattern && l.trace_id === traceId);
    expect(placeOrder).toMatchObject({
      level: 'debug',
      service: 'orders',
      caller: 'gateway',
      transport,
      code: 'OK',
      duration_ms: expect.any(Number),
      correlation_id: expect.stringMatching(/^[\w-]{8,}$/),
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const request = lines('gateway').find((l) => (l.req as { path?: string } | undefined)?.path === '/v1/orders' && l.trace_id === traceId);
    expect(request).toMatchObject({ service: 'gateway', res: { statusCode: 202 }, responseTime: expect.any(Number) });
    for (const app of ALL_APPS) expect(system.process(app).logs).not.toContain(token);
  });

  if (transport !== 'memory') {
    it('operator CLI: calls a contract method over the transport as a service, with its scopes', async () => {
      const got = await cli(system.env, 'call', OrdersV1.methods.getOrder.pattern, '-d', JSON.stringify({ id: orderId, customerId: 'alice' }));
      expect({ code: got.code, stderr: got.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(got.stdout)).toMatchObject({ id: orderId, customerId: 'alice', status: 'CONFIRMED' });

      const missing = await cli(system.env, 'call', OrdersV1.methods.getOrder.pattern, '-d', JSON.stringify({ id: 'no-such-order', customerId: 'alice' }));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^error: NOT_FOUND: /);

      const denied = await cli(system.env, 'call', PaymentsV1.methods.charge.pattern, '--as', 'notifications', '-d',
        JSON.stringify({ orderId, amountCents: 100, currency: 'EUR', paymentMethod: 'visa' }));
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^error: PERMISSION_DENIED: /);
    });

    /** Whether `events tail` has opened its tap: a JetStream consumer, or a Redis connection, named after it. */
    const cliTapOpen = async (): Promise<boolean> => {
      if (bus === 'redis') {
        const redis = new Redis(system.env.REDIS_URL!);
        try {
          return /name=\S*:events:tap-\d+:\S*:cli-tail/.test(String(await redis.call('CLIENT', 'LIST')));
        } finally {
          redis.disconnect();
        }
      }
      const nc = await connect({ servers: system.env.NATS_URL });
      try {
        const consumers = await (await nc.jetstreamManager()).consumers.list(`${system.env.SWITCHBOARD_NAMESPACE}_events`).next();
        return consumers.some((consumer) => consumer.name.includes('_cli-tail_'));
      } finally {
        await nc.close();
      }
    };

    it('operator CLI: tails the events published from now on, read-only', async () => {
      const child = execFile(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'cli', 'main.js'), 'events', 'tail', '--limit', '2', '--type', `${OrdersEventsV1.orderPlaced.type},${OrdersEventsV1.orderConfirmed.type}`], {
        env: { ...process.env, ...system.env },
        timeout: 30_000,
      });
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // 'close', not 'exit': the output may still be in the pipe when the process has exited.
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // The CLI has started tailing once its tap is on the broker (its ephemeral consumer, or its reading connection).
      for (const until = Date.now() + 20_000; !(await cliTapOpen()); await new Promise((resolve) => setTimeout(resolve, 100))) {
        if (Date.now() > until) throw new Error(`the CLI did not start tailing: ${stderr}`);
      }
      const res = await fetch(`${system.httpUrl('gateway')}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa' }),
      });
      const { id } = (await res.json()) as { id: string };
      expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
      const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; body: { orderId?: string; id?: string }; metadata: Record<string, string>; traceparent?: string });
      expect(events.map((e) => e.type)).toEqual([OrdersEventsV1.orderPlaced.type, OrdersEventsV1.orderConfirmed.type]);
      expect(events.map((e) => e.body.orderId ?? e.body.id)).toEqual([id, id]);
      expect(events[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      for (const event of events) expect(event.metadata).not.toHaveProperty('authorization');
    });

    it('operator CLI: shows every app ready, and lists dead letters over the admin endpoint', async () => {
      const health = await cli(system.env, 'health', '--json');
      expect(health.code).toBe(0);
      const apps = JSON.parse(health.stdout) as { app: string; state: string }[];
      expect(apps.map((a) => `${a.app} ${a.state}`).sort()).toEqual(ALL_APPS.map((app) => `${app} ready`).sort());

      const deadLetters = await cli(system.env, 'dead-letters', 'list', '--app', 'notifications');
      expect(deadLetters.code).toBe(0);
      expect(JSON.parse(deadLetters.stdout)).toMatchObject({ group: 'notifications', items: [] });
      const noApp = await cli(system.env, 'dead-letters', 'list');
      expect(noApp).toMatchObject({ code: 2, stderr: expect.stringMatching(/--app is needed/) });
    });
  }

  if (transport === 'grpc') {
    it('serves grpc.health.v1 on every gRPC server, and reports NOT_SERVING when it begins to stop', async () => {
      const Health = makeClientConstructor(grpcHealthService, 'grpc.health.v1.Health');
      const statusNames = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
      const clientOf = (app: string) => new Health(system.env[`${app.toUpperCase()}_ADDR`]!, credentials.createInsecure());
      const check = (client: InstanceType<typeof Health>, service: string) =>
        new Promise<string>((resolve, reject) =>
          (client as unknown as { Check: (req: object, cb: (e: ServiceError | null, r?: { status: string | number }) => void) => void }).Check(
            { service },
            (error, response) => (error ? reject(error) : resolve(typeof response!.status === 'number' ? statusNames[response!.status] : String(response!.status))),
          ),
        );
      for (const [app, grpcService] of [['orders', 'orders.v1.Orders'], ['inventory', 'inventory.v1.Inventory'], ['payments', 'payments.v1.Payments']]) {
        const client = clientOf(app);
        expect(await check(client, '')).toBe('SERVING');
        expect(await check(client, grpcService)).toBe('SERVING');
        await expect(check(client, 'no.such.Service')).rejects.toMatchObject({ code: 5 });
        client.close();
      }
      // Watch payments, then stop it: NOT_SERVING comes before the server goes away.
      const client = clientOf('payments');
      const seen: string[] = [];
      const watch = (client as unknown as { Watch: (req: object) => NodeJS.EventEmitter & { cancel(): void } }).Watch({ service: '' });
      watch.on('data', (update: { status: string | number }) => seen.push(typeof update.status === 'number' ? statusNames[update.status] : String(update.status)));
      watch.on('error', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen).toEqual(['SERVING']);
      const payments = system.process('payments');
      stoppedEarly.add('payments');
      expect(await payments.stop()).toBe('graceful');
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      watch.cancel();
      client.close();
    });
  }
});
