import { Histogram } from 'prom-client';
import { LabelCache } from './label-cache';
import { DURATION_BUCKETS, metricsRegistry } from './metrics-registry';

const LABELS = ['caller', 'target', 'method', 'transport', 'code'] as const;

const clientDuration = new Histogram({
  name: 'switchboard_rpc_client_duration_seconds',
  help: 'Calls made, by caller, target service, method, transport and status code (count = requests; code != OK = errors)',
  labelNames: LABELS,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

const serverDuration = new Histogram({
  name: 'switchboard_rpc_server_duration_seconds',
  help: 'Calls handled, by caller, target service, method, transport and status code',
  labelNames: LABELS,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

const clients = new LabelCache((values) => clientDuration.labels(...values));
const servers = new LabelCache((values) => serverDuration.labels(...values));

/** One call as its caller saw it (all retries included). */
export function recordClientCall(caller: string, target: string, method: string, transport: string, code: string, seconds: number): void {
  clients.get(caller, target, method, transport, code).observe(seconds);
}

/** One call as the server handled it. */
export function recordServerCall(caller: string, target: string, method: string, transport: string, code: string, seconds: number): void {
  servers.get(caller, target, method, transport, code).observe(seconds);
}
