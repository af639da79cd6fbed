import { Attributes, context, Context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  contextFromHeaders,
  headersOf,
  recordEventDelivered,
  recordEventHandled,
  recordEventPublished,
  tracer,
  tracingActive,
  unrecordedChildOf,
  unrecordedUnder,
} from '@app/observability';
import { MetadataKey } from '@app/transport';
import type { DeliveredEvent, EventBus, EventOutcome, OutgoingEvent, Subscription, SubscriptionHandle, TapHandle, TapListener } from './event-bus';

/**
 * An event bus that traces and counts what goes through it, following OpenTelemetry's messaging conventions:
 * a PRODUCER span `publish <type>` whose context travels in the event's metadata, and a CONSUMER span
 * `process <type>` per delivery, child of that producer span and active while the handler runs, so the calls and
 * events the handler makes continue the same trace. The producer span's parent is the trace context already in the
 * metadata (an outbox row keeps the context of the call that wrote it, so a relayed event stays in its trace), else
 * the span active here. Metrics: publishes, deliveries by outcome, redeliveries, dead letters, consumer lag.
 */
export class ObservedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    /** The service publishing and consuming through this bus (metric label). */
    private readonly service: string,
  ) {}

  get name() {
    return this.inner.name;
  }

  async publish(event: OutgoingEvent): Promise<void> {
    if (!tracingActive()) return this.countedPublish(event);
    const metadata = event.metadata;
    const active = context.active();
    const activeSpan = metadata[MetadataKey.traceparent] ? undefined : trace.getSpan(active);
    // Under an unsampled parent no span is made: the event carries the parent's trace context on.
    if (activeSpan === undefined ? unrecordedUnder(metadata[MetadataKey.traceparent]) : unrecordedChildOf(activeSpan)) {
      const headers = activeSpan && headersOf(activeSpan);
      return this.countedPublish(headers ? { ...event, metadata: { ...metadata, ...headers } } : event);
    }
    const parent = metadata[MetadataKey.traceparent]
      ? contextFromHeaders(metadata[MetadataKey.traceparent], metadata[MetadataKey.tracestate], active)
      : active;
    const span = tracer.startSpan(
      `publish ${event.type}`,
      { kind: SpanKind.PRODUCER, attributes: this.attributes(event.type, event.id, 'publish') },
      parent,
    );
    const headers = headersOf(span);
    const traced = headers ? { ...event, metadata: { ...metadata, ...headers } } : event;
    try {
      await this.inner.publish(traced);
      recordEventPublished(this.service, event.type, this.inner.name, 'ok');
    } catch (error) {
      recordEventPublished(this.service, event.type, this.inner.name, 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Tracing off: the publish is only counted. */
  private async countedPublish(event: OutgoingEvent): Promise<void> {
    try {
      await this.inner.publish(event);
    } catch (error) {
      recordEventPublished(this.service, event.type, this.inner.name, 'error');
      throw error;
    }
    recordEventPublished(this.service, event.type, this.inner.name, 'ok');
  }

  subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    return this.inner.subscribe({
      group: subscription.group,
      types: subscription.types,
      maxDeliveries: subscription.maxDeliveries,
      concurrency: subscription.concurrency,
      ackMode: subscription.ackMode,
      retryDelayMs: (deliveryCount) => subscription.retryDelayMs(deliveryCount),
      handle: (event) => this.consume(subscription, event),
    });
  }

  /**
   * The inner bus's tap, its deliveries counted (and their lag measured) under the label `<service>:tap`. No span:
   * a tap only watches, and its listener's work is not part of the event's processing.
   */
  tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle> {
    const label = `${this.service}:tap`;
    const bus = this.inner.name;
    return this.inner.tap(types, (event) => {
      recordEventDelivered(label, event.type, bus, event.deliveryCount, event.publishedAt);
      return onEvent(event);
    });
  }

  start(): void {
    this.inner.start?.();
  }

  checkReady(): void {
    this.inner.checkReady?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async consume(subscription: Subscription, event: DeliveredEvent): Promise<EventOutcome> {
    const bus = this.inner.name;
    recordEventDelivered(subscription.group, event.type, bus, event.deliveryCount, event.publishedAt);
    let span: Span | undefined;
    let spanContext: Context | undefined;
    // Under an unsampled producer no consumer span is made; the handler's calls and events carry its context on.
    if (!unrecordedUnder(event.metadata[MetadataKey.traceparent])) {
      const parent = contextFromHeaders(event.metadata[MetadataKey.traceparent], event.metadata[MetadataKey.tracestate]);
      const attributes = this.attributes(event.type, event.id, 'process');
      attributes['messaging.consumer.group.name'] = subscription.group;
      attributes['switchboard.delivery_count'] = event.deliveryCount;
      span = tracer.startSpan(`process ${event.type}`, { kind: SpanKind.CONSUMER, attributes }, parent);
      spanContext = trace.setSpan(parent, span);
    }
    const started = performance.now();
    let outcome: EventOutcome | 'error' = 'error';
    try {
      outcome = await (spanContext ? context.with(spanContext, () => subscription.handle(event)) : subscription.handle(event));
      if (outcome !== 'ack') span?.setStatus({ code: SpanStatusCode.ERROR, message: outcome === 'dead' ? 'dead-lettered' : 'will be retried' });
      return outcome;
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span?.setAttribute('switchboard.event_outcome', outcome);
      span?.end();
      recordEventHandled(subscription.group, event.type, bus, outcome, (performance.now() - started) / 1000);
    }
  }

  private attributes(type: string, id: string, operation: 'publish' | 'process'): Attributes {
    return {
      'messaging.system': this.inner.name,
      'messaging.operation.type': operation === 'publish' ? 'send' : 'process',
      'messaging.operation.name': operation,
      'messaging.destination.name': type,
      'messaging.message.id': id,
    };
  }
}
