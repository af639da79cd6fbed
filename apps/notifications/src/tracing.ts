import { startTracing } from '@app/observability/tracing';

/** Imported first by main.ts: the OpenTelemetry SDK starts before Nest and the app load (OTEL_* settings). */
startTracing('notifications');
