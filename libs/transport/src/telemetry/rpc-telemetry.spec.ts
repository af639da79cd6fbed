import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InventoryV1 } from '@app/contracts';
import { formatTraceparent, metricsRegistry, setTracingActive, tracer } from '@app/observability';
import { InMemoryTracing } from '@app/observability/testing/in-memory-tracing';
import { parsePrometheusText, sampleSum } from '@app/testing';
import { Metadata, propagatedMetadata } from '../metadata/metadata';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import type { MethodRef } from '@app/contracts';
import { beginServerCall, endServerCall, observeClientCall } from './rpc-telemetry';

const reserve = InventoryV1.methods.reserve;

/** An incoming call as SwitchboardServer observes it: begin, the handler in the span's context if it records, end. */
async function observeServerCall<T>(method: MethodRef, pattern: string, transport: string, metadata: Metadata, handle: () => Promise<T>): Promise<T> {
  const record = beginServerCall(method, pattern, transport, metadata);
  try {
    const value = await (record.context ? context.with(record.context, handle) : handle());
    endServerCall(record, method, transport, metadata);
    return value;
  } catch (error) {
    endServerCall(record, method, transport, metadata, error);
    throw error;
  }
}

describe('RPC telemetry with tracing off', () => {
  it('leaves the trace context that travels untouched, runs the handler in no span, and still measures the call', async () => {
    const upstream = `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`;
    const metadata: Metadata = { 'x-caller': 'untraced-caller', traceparent: upstream };
    let inHandler: Metadata | undefined;
    await observeClientCall(reserve, 'spec', 'untraced-caller', metadata, () =>
      observeServerCall(reserve, reserve.pattern, 'spec', { ...metadata }, async () => {
        inHandler = propagatedMetadata('inventory', { traceparent: metadata.traceparent });
        return {};
      }),
    );
    expect(metadata.traceparent).toBe(upstream);
    expect(inHandler?.traceparent).toBe(upstream);
    expect(trace.getActiveSpan()).toBeUndefined();
    const samples = parsePrometheusText(await metricsRegistry.metrics());
    const labels = { caller: 'untraced-caller', method: 'inventory.v1.Reserve', code: 'OK' };
    expect(sampleSum(samples, 'switchboard_rpc_client_duration_seconds_count', labels)).toBe(1);
    expect(sampleSum(samples, 'switchboard_rpc_server_duration_seconds_count', labels)).toBe(1);
  });
});

describe('RPC telemetry', () => {
  const tracing = new InMemoryTracing();
  beforeAll(() => tracing.start());
  afterAll(() => tracing.stop());
  beforeEach(() => tracing.exporter.reset());

  it('under an unsampled parent and a parent-based sampler, makes no span at all and passes the parent on', async () => {
    setTracingActive(true, true);
    try {
      const upstream = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`;
      const metadata: Metadata = { 'x-caller': 'orders', traceparent: upstream };
      let inHandler: Metadata | undefined;
      await observeClientCall(reserve, 'spec', 'orders', metadata, () =>
        observeServerCall(reserve, reserve.pattern, 'spec', { ...metadata }, async () => {
          expect(trace.getActiveSpan()).toBeUndefined();
          inHandler = propagatedMetadata('inventory', { traceparent: metadata.traceparent });
          return {};
        }),
      );
      expect(metadata.traceparent).toBe(upstream);
      expect(inHandler?.traceparent).toBe(upstream);
      expect(tracing.spans).toHaveLength(0);
    } finally {
      setTracingActive(true);
    }
  });

  it("under this process's own unsampled span (an HTTP request's) makes no client span and sends that span's context", async () => {
    setTracingActive(true, true);
    try {
      const unsampled = trace.wrapSpanContext({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0 });
      const metadata: Metadata = { 'x-caller': 'gateway', tracestate: 'stale=1' };
      await context.with(trace.setSpan(context.active(), unsampled), () =>
        observeClientCall(reserve, 'spec', 'gateway', metadata, async () => ({})),
      );
      expect(metadata.traceparent).toBe(`00-${'c'.repeat(32)}-${'d'.repeat(16)}-00`);
      expect(metadata.tracestate).toBeUndefined();
      expect(tracing.spans).toHaveLength(0);
      // A sampled remote parent made active here still gets its client span.
      const sampled = trace.wrapSpanContext({ traceId: 'c'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 });
      await context.with(trace.setSpan(context.active(), sampled), () =>
        observeClientCall(reserve, 'spec', 'gateway', { 'x-caller': 'gateway' }, async () => ({})),
      );
      expect(tracing.span('inventory.v1.Inventory/Reserve').parentSpanContext?.spanId).toBe('e'.repeat(16));
    } finally {
      setTracingActive(true);
    }
  });

  it('makes a CLIENT span under the active span and a SERVER span under it from the metadata, active in the handler', async () => {
    const request = tracer.startSpan('POST /v1/orders');
    const metadata: Metadata = { 'x-caller': 'orders', 'x-correlation-id': 'c-1' };
    let inHandler: Metadata | undefined;
    await context.with(trace.setSpan(context.active(), request), () =>
      observeClientCall(reserve, 'spec', 'orders', metadata, () =>
        // What the server side does with the metadata that travelled, in another "process": no active span here.
        context.with(context.active(), () =>
          observeServerCall(reserve, reserve.pattern, 'spec', { ...metadata }, async () => {
            inHandler = propagatedMetadata('inventory', undefined);
            return { ok: true };
          }),
        ),
      ),
    );
    request.end();
    const [server, client] = [tracing.spans.find((s) => s.kind === SpanKind.SERVER)!, tracing.spans.find((s) => s.kind === SpanKind.CLIENT)!];
    expect(client.name).toBe('inventory.v1.Inventory/Reserve');
    expect(client.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(metadata.traceparent).toBe(formatTraceparent(client.spanContext()));
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(server.spanContext().traceId).toBe(request.spanContext().traceId);
    // Calls and events made by the handler continue from its server span.
    expect(inHandler?.traceparent).toBe(formatTraceparent(server.spanContext()));
    expect(server.attributes).toMatchObject({
      'rpc.system': 'switchboard',
      'rpc.service': 'inventory.v1.Inventory',
      'rpc.method': 'Reserve',
      'rpc.response.status_code': 'OK',
      'switchboard.transport': 'spec',
    });
  });

  it('records the status code of a failed call on both spans and in the metrics', async () => {
    const metadata: Metadata = { 'x-caller': 'spec-caller' };
    const failing = () =>
      observeServerCall(reserve, reserve.pattern, 'spec', { ...metadata }, async () => {
        throw new RpcError(StatusCode.FAILED_PRECONDITION, 'not enough stock');
      });
    await expect(observeClientCall(reserve, 'spec', 'spec-caller', metadata, failing)).rejects.toThrow('not enough stock');
    for (const span of tracing.spans) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not enough stock' });
      expect(span.attributes['rpc.response.status_code']).toBe('FAILED_PRECONDITION');
    }
    const samples = parsePrometheusText(await metricsRegistry.metrics());
    const labels = { caller: 'spec-caller', target: 'inventory', method: 'inventory.v1.Reserve', transport: 'spec', code: 'FAILED_PRECONDITION' };
    expect(sampleSum(samples, 'switchboard_rpc_client_duration_seconds_count', labels)).toBe(1);
    expect(sampleSum(samples, 'switchboard_rpc_server_duration_seconds_count', labels)).toBe(1);
  });

  it('keeps a traceparent that arrived from a process without tracing when none is active here', async () => {
    const upstream = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
    const metadata: Metadata = { 'x-caller': 'orders', traceparent: upstream };
    await observeClientCall(reserve, 'spec', 'orders', metadata, async () => ({}));
    const client = tracing.spans[0];
    expect(client.spanContext().traceId).toBe('c'.repeat(32));
    expect(client.parentSpanContext?.spanId).toBe('d'.repeat(16));
  });
});
