import { Gauge } from 'prom-client';
import { metricsRegistry } from './metrics-registry';

const sources = new Map<string, () => number>();

new Gauge({
  name: 'switchboard_outbox_backlog',
  help: 'Outbox rows committed but not yet published, per service',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [service, backlog] of sources) {
      try {
        this.labels(service).set(backlog());
      } catch {
        // A closed database at shutdown: no reading rather than a failed scrape.
      }
    }
  },
});

/** Reports a service's outbox backlog at each scrape; returns the function that stops it. */
export function watchOutboxBacklog(service: string, backlog: () => number): () => void {
  sources.set(service, backlog);
  return () => {
    if (sources.get(service) === backlog) sources.delete(service);
  };
}
