import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { setTracingActive } from './tracer';

let sdk: NodeSDK | undefined;

/** Whether the environment asks for traces: OTEL_TRACES_EXPORTER (not `none`) or an OTLP endpoint is set. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (exporters.length > 0) return !exporters.every((name) => name === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry SDK for this process, before Nest loads (each app's `tracing.ts`, imported first by its
 * main.ts). Everything comes from the standard variables: OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`),
 * OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL (`http/protobuf`, `http/json`, `grpc`), OTEL_TRACES_SAMPLER (default
 * `parentbased_always_on`), OTEL_BSP_* (batching), OTEL_SERVICE_NAME (default: `service`), OTEL_RESOURCE_ATTRIBUTES.
 * With none of them set, tracing stays off and costs nothing; trace context still travels between services.
 * No auto-instrumentation is loaded: Switchboard makes its own RPC, event and HTTP spans.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !tracingRequested(env)) return sdk !== undefined;
  sdk = new NodeSDK({ serviceName: env.OTEL_SERVICE_NAME || service, instrumentations: [] });
  sdk.start();
  setTracingActive(true, samplerFollowsParent(env));
  return true;
}

/** The `parentbased_*` samplers (the default when OTEL_TRACES_SAMPLER is unset) never record under an unsampled parent. */
export function samplerFollowsParent(env: NodeJS.ProcessEnv = process.env): boolean {
  const sampler = (env.OTEL_TRACES_SAMPLER ?? '').trim();
  return sampler === '' || sampler.startsWith('parentbased_');
}

/** Exports the spans still buffered (call before the process exits). */
export async function flushTracing(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}

/** Flushes and stops the SDK (tests). */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
  setTracingActive(false);
}
