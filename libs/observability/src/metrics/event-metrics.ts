import { Counter, Histogram } from 'prom-client';
import { LabelCache } from './label-cache';
import { DURATION_BUCKETS, metricsRegistry } from './metrics-registry';

const published = new Counter({
  name: 'switchboard_events_published_total',
  help: 'Events handed to the bus, by publishing service, event type, bus and outcome (ok | error)',
  labelNames: ['service', 'type', 'bus', 'outcome'],
  registers: [metricsRegistry],
});

const consumed = new Counter({
  name: 'switchboard_events_consumed_total',
  help: 'Event deliveries handled, by consuming service, event type, bus and outcome (ack | retry | dead)',
  labelNames: ['service', 'type', 'bus', 'outcome'],
  registers: [metricsRegistry],
});

const redelivered = new Counter({
  name: 'switchboard_events_redelivered_total',
  help: 'Deliveries of an event after its first one',
  labelNames: ['service', 'type', 'bus'],
  registers: [metricsRegistry],
});

const deadLettered = new Counter({
  name: 'switchboard_events_dead_lettered_total',
  help: 'Events given up and recorded as dead letters',
  labelNames: ['service', 'type', 'bus'],
  registers: [metricsRegistry],
});

const lag = new Histogram({
  name: 'switchboard_event_consumer_lag_seconds',
  help: 'Time from the broker storing an event to a consumer starting to handle it',
  labelNames: ['service', 'type', 'bus'],
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

const handleDuration = new Histogram({
  name: 'switchboard_event_handle_duration_seconds',
  help: 'Time a consumer took to handle one delivery, by outcome',
  labelNames: ['service', 'type', 'bus', 'outcome'],
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

const publishes = new LabelCache((values) => published.labels(...values));
const consumptions = new LabelCache((values) => consumed.labels(...values));
const durations = new LabelCache((values) => handleDuration.labels(...values));
const redeliveries = new LabelCache((values) => redelivered.labels(...values));
const deaths = new LabelCache((values) => deadLettered.labels(...values));
const lags = new LabelCache((values) => lag.labels(...values));

export function recordEventPublished(service: string, type: string, bus: string, outcome: 'ok' | 'error'): void {
  publishes.get(service, type, bus, outcome).inc();
}

/** A delivery is starting: counts a redelivery and observes how long the event waited. */
export function recordEventDelivered(service: string, type: string, bus: string, deliveryCount: number, publishedAt?: number): void {
  if (deliveryCount > 1) redeliveries.get(service, type, bus).inc();
  if (publishedAt !== undefined) lags.get(service, type, bus).observe(Math.max(0, Date.now() - publishedAt) / 1000);
}

export function recordEventHandled(service: string, type: string, bus: string, outcome: string, seconds: number): void {
  consumptions.get(service, type, bus, outcome).inc();
  durations.get(service, type, bus, outcome).observe(seconds);
  if (outcome === 'dead') deaths.get(service, type, bus).inc();
}
