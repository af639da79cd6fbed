import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { formatTraceparent, metricsRegistry, setTracingActive, tracer } from '@app/observability';
import { InMemoryTracing } from '@app/observability/testing/in-memory-tracing';
import { parsePrometheusText, sampleSum } from '@app/testing';
import type { EventBusConfig } from '../config/event-bus-config';
import { MemoryEventBroker } from '../memory/memory-event-broker';
import { MemoryEventBus } from '../memory/memory-event-bus';
import type { DeliveredEvent, EventOutcome } from './event-bus';
import { ObservedEventBus } from './observed-event-bus';

describe('ObservedEventBus', () => {
  const tracing = new InMemoryTracing();
  let bus: ObservedEventBus;

  beforeAll(() => tracing.start());
  afterAll(() => tracing.stop());

  beforeEach(() => {
    tracing.exporter.reset();
    bus = new ObservedEventBus(new MemoryEventBus({ memoryBroker: new MemoryEventBroker() } as EventBusConfig), 'spec-publisher');
  });
  afterEach(() => bus.close());

  function subscribe(group: string, handle: (event: DeliveredEvent) => Promise<EventOutcome>) {
    return bus.subscribe({ group, types: ['spec.v1.Happened'], maxDeliveries: 3, retryDelayMs: () => 10, concurrency: 4, handle });
  }

  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(condition()).toBe(true);
  };

  it('publishes inside a PRODUCER span, child of the active span, and handles inside a CONSUMER span, child of it', async () => {
    let activeInHandler: string | undefined;
    let receivedTraceparent: string | undefined;
    await subscribe('spec-consumer', async (event) => {
      activeInHandler = trace.getSpan(context.active())?.spanContext().spanId;
      receivedTraceparent = event.metadata.traceparent;
      return 'ack';
    });
    const parent = tracer.startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () =>
      bus.publish({ id: 'e-1', type: 'spec.v1.Happened', body: '{}', metadata: {} }),
    );
    parent.end();
    await waitFor(() => tracing.spans.some((s) => s.name === 'process spec.v1.Happened'));

    const producer = tracing.span('publish spec.v1.Happened');
    const consumer = tracing.span('process spec.v1.Happened');
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(receivedTraceparent).toBe(formatTraceparent(producer.spanContext()));
    expect(activeInHandler).toBe(consumer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({
      'messaging.system': 'memory',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'spec.v1.Happened',
      'messaging.message.id': 'e-1',
      'messaging.consumer.group.name': 'spec-consumer',
    });
  });

  it('continues the trace the metadata names (an outbox row relayed later, outside any span)', async () => {
    await subscribe('spec-relay', async () => 'ack');
    const stored = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    await bus.publish({ id: 'e-2', type: 'spec.v1.Happened', body: '{}', metadata: { traceparent: stored } });
    await waitFor(() => tracing.spans.some((s) => s.name === 'process spec.v1.Happened'));
    const producer = tracing.span('publish spec.v1.Happened');
    expect(producer.spanContext().traceId).toBe('a'.repeat(32));
    expect(producer.parentSpanContext?.spanId).toBe('b'.repeat(16));
  });

  it('under an unsampled parent and a parent-based sampler, makes no span and passes the parent on to the handler', async () => {
    setTracingActive(true, true);
    try {
      const received: (string | undefined)[] = [];
      await subscribe('spec-unsampled', async (event) => {
        received.push(event.metadata.traceparent);
        return 'ack';
      });
      const stored = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-00`;
      await bus.publish({ id: 'e-u1', type: 'spec.v1.Happened', body: '{}', metadata: { traceparent: stored } });
      // This process's own unsampled span (an HTTP request's): its context goes with the event.
      const request = trace.wrapSpanContext({ traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), traceFlags: 0 });
      await context.with(trace.setSpan(context.active(), request), () =>
        bus.publish({ id: 'e-u2', type: 'spec.v1.Happened', body: '{}', metadata: {} }),
      );
      await waitFor(() => received.length === 2);
      expect(received).toEqual([stored, `00-${'e'.repeat(32)}-${'f'.repeat(16)}-00`]);
      expect(tracing.spans).toHaveLength(0);
    } finally {
      setTracingActive(true);
    }
  });

  it('counts deliveries by outcome, redeliveries and dead letters, and marks failed deliveries as errors', async () => {
    let calls = 0;
    await subscribe('spec-metrics', async () => (++calls === 1 ? 'retry' : 'dead'));
    await bus.publish({ id: 'e-3', type: 'spec.v1.Happened', body: '{}', metadata: {} });
    await waitFor(() => calls === 2 && tracing.spans.filter((s) => s.name === 'process spec.v1.Happened').length === 2);
    const samples = parsePrometheusText(await metricsRegistry.metrics());
    const labels = { service: 'spec-metrics', type: 'spec.v1.Happened', bus: 'memory' };
    expect(sampleSum(samples, 'switchboard_events_consumed_total', { ...labels, outcome: 'retry' })).toBe(1);
    expect(sampleSum(samples, 'switchboard_events_consumed_total', { ...labels, outcome: 'dead' })).toBe(1);
    expect(sampleSum(samples, 'switchboard_events_redelivered_total', labels)).toBe(1);
    expect(sampleSum(samples, 'switchboard_events_dead_lettered_total', labels)).toBe(1);
    expect(sampleSum(samples, 'switchboard_events_published_total', { service: 'spec-publisher', type: 'spec.v1.Happened', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    const processed = tracing.spans.filter((s) => s.name === 'process spec.v1.Happened');
    expect(processed.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(processed.map((s) => s.attributes['switchboard.delivery_count'])).toEqual([1, 2]);
  });
});
