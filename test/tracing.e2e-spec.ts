import { InventoryEventsV1, InventoryV1, OrdersEventsV1, OrdersV1, PaymentsEventsV1, PaymentsV1 } from '@app/contracts';
import { OtlpReceiver, ReceivedSpan, RunningSystem, SpanKinds, SystemTransport } from '@app/testing';

/**
 * One order, one trace, on every transport: the five built apps export their spans over OTLP/HTTP (JSON) to a test
 * receiver, and the order's trace must hold every hop with the right parent: the gateway's HTTP span, the
 * PlaceOrder call (client and server), the OrderPlaced event relayed from the outbox (producer, then a consumer in
 * orders and in notifications), the Reserve and Charge calls made by the flow, the events inventory and payments
 * publish, and OrderConfirmed reaching notifications. No span of the trace may point at a parent that is not in it.
 */
const TRANSPORTS: SystemTransport[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];

const rpcName = (method: { grpcPath: string }) => method.grpcPath.slice(1);

describe.each(TRANSPORTS)('one trace per order on %s', (transport) => {
  const receiver = new OtlpReceiver();
  let system: RunningSystem;

  beforeAll(async () => {
    await receiver.start();
    system = await new RunningSystem(transport, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    }).start();
  });

  afterAll(async () => {
    const endings = await system?.stop();
    await receiver.close();
    expect(endings).toEqual(system.apps.map(() => 'graceful'));
  });

  it('links the gateway, every call and every event of a confirmed order into one trace', async () => {
    const token = await system.token();
    const res = await fetch(`${system.httpUrl('gateway')}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ sku: 'SKU-COFFEE', quantity: 1 }], paymentMethod: 'visa' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    // The trace is the one whose PlaceOrder server span handled this order's request.
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'POST /v1/orders' && s.kind === SpanKinds.server), 15_000, 'the gateway span');
    const root = receiver.spans.find((s) => s.name === 'POST /v1/orders' && s.kind === SpanKinds.server)!;
    const traceOf = () => receiver.trace(root.traceId);
    const has = (name: string, kind: number, service?: string) => (spans: ReceivedSpan[]) =>
      spans.some((s) => s.traceId === root.traceId && s.name === name && s.kind === kind && (!service || s.attributes['messaging.consumer.group.name'] === service));
    await receiver.waitFor(
      (spans) =>
        has(`process ${OrdersEventsV1.orderConfirmed.type}`, SpanKinds.consumer, 'notifications')(spans) &&
        has(`process ${OrdersEventsV1.orderPlaced.type}`, SpanKinds.consumer, 'notifications')(spans) &&
        has(`publish ${PaymentsEventsV1.paymentCaptured.type}`, SpanKinds.producer)(spans) &&
        has(`publish ${InventoryEventsV1.stockReserved.type}`, SpanKinds.producer)(spans),
      20_000,
      `the spans of order ${id}`,
    );
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
});
