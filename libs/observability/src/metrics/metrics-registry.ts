import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's Prometheus registry: Switchboard's metrics plus Node's own (CPU, memory, event loop lag, GC).
 * One per process, so in the all-in-one `system` app every app's /metrics shows the whole process; the labels
 * (caller, target, service) tell the apps apart.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Seconds buckets for calls and event handling: 1 ms .. 10 s. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
