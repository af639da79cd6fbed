import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingActive } from '../tracing/tracer';

/**
 * Real OpenTelemetry tracing for unit tests, without an exporter process: spans end up in memory. Registers the
 * global tracer provider and an AsyncLocalStorage context manager (as the NodeSDK does); `stop` unregisters them.
 */
export class InMemoryTracing {
  readonly exporter = new InMemorySpanExporter();
  private readonly provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  private readonly contextManager = new AsyncLocalStorageContextManager();

  start(): this {
    context.setGlobalContextManager(this.contextManager.enable());
    trace.setGlobalTracerProvider(this.provider);
    setTracingActive(true);
    return this;
  }

  get spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  span(name: string): ReadableSpan {
    const found = this.spans.filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}: ${this.spans.map((s) => s.name).join(', ')}`);
    return found[0];
  }

  async stop(): Promise<void> {
    setTracingActive(false);
    await this.provider.shutdown();
    this.contextManager.disable();
    trace.disable();
    context.disable();
  }
}
