import { Histogram } from 'prom-client';
import { LabelCache } from './label-cache';
import { DURATION_BUCKETS, metricsRegistry } from './metrics-registry';

const httpDuration = new Histogram({
  name: 'switchboard_http_server_duration_seconds',
  help: 'HTTP requests served, by service, method, route and status',
  labelNames: ['service', 'method', 'route', 'status'],
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

const children = new LabelCache((values) => httpDuration.labels(...values));

export function recordHttpRequest(service: string, method: string, route: string, status: number, seconds: number): void {
  children.get(service, method, route, String(status)).observe(seconds);
}
