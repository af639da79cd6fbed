import { OtlpReceiver, SpanKinds } from './otlp-receiver';
import { parsePrometheusText, sampleSum } from './prometheus-text';

describe('OtlpReceiver', () => {
  const receiver = new OtlpReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.close());

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('keeps the spans of an OTLP/JSON request, with hex or base64 ids and flattened attributes', async () => {
    const res = await post(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                    spanId: Buffer.from('00f067aa0ba902b7', 'hex').toString('base64'),
                    parentSpanId: 'aaaaaaaaaaaaaaaa',
                    name: 'orders.v1.Orders/PlaceOrder',
                    kind: SpanKinds.server,
                    attributes: [
                      { key: 'rpc.method', value: { stringValue: 'PlaceOrder' } },
                      { key: 'switchboard.delivery_count', value: { intValue: '2' } },
                    ],
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(receiver.trace('4bf92f3577b34da6a3ce929d0e0e4736')).toEqual([
      expect.objectContaining({
        spanId: '00f067aa0ba902b7',
        parentSpanId: 'aaaaaaaaaaaaaaaa',
        service: 'orders',
        kind: SpanKinds.server,
        statusCode: 2,
        attributes: { 'rpc.method': 'PlaceOrder', 'switchboard.delivery_count': 2 },
      }),
    ]);
  });

  it('refuses protobuf (415) and a body that is not JSON (400)', async () => {
    expect((await post('\x0a\x00', 'application/x-protobuf')).status).toBe(415);
    expect((await post('{not json')).status).toBe(400);
    expect((await fetch(`${receiver.url}/v1/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('parsePrometheusText', () => {
  it('reads samples with labels (escaped quotes too) and sums matching ones', () => {
    const samples = parsePrometheusText(
      [
        '# HELP x_total a counter',
        '# TYPE x_total counter',
        'x_total{service="orders",code="OK"} 3',
        'x_total{service="orders",code="NOT_FOUND"} 1',
        'x_total{service="say \\"hi\\"",code="OK"} 2',
        'process_cpu_seconds_total 0.25',
        '',
      ].join('\n'),
    );
    expect(sampleSum(samples, 'x_total', { service: 'orders' })).toBe(4);
    expect(sampleSum(samples, 'x_total', { service: 'say "hi"' })).toBe(2);
    expect(sampleSum(samples, 'process_cpu_seconds_total')).toBe(0.25);
    expect(sampleSum(samples, 'missing_total')).toBeUndefined();
    expect(() => parsePrometheusText('{oops} 1')).toThrow(/not a Prometheus sample line/);
  });
});
