import { FastHistogram } from './fast-histogram';
import { DURATION_BUCKETS, metricsRegistry } from './metrics-registry';

const LABELS = ['caller', 'target', 'method', 'transport', 'code'] as const;

const clients = new FastHistogram({
  name: 'switchboard_rpc_client_duration_seconds',
  help: 'Calls made, by caller, target service, method, transport and status code (count = requests; code != OK = errors)',
  labelNames: LABELS,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

const servers = new FastHistogram({
  name: 'switchboard_rpc_server_duration_seconds',
  help: 'Calls handled, by caller, target service, method, transport and status code',
  labelNames: LABELS,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

/** One call as its caller saw it (all retries included). */
export function recordClientCall(caller: string, target: string, method: string, transport: string, code: string, seconds: number): void {
  clients.labels(caller, target, method, transport, code).observe(seconds);
}

/** One call as the server handled it. */
export function recordServerCall(caller: string, target: string, method: string, transport: string, code: string, seconds: number): void {
  servers.labels(caller, target, method, transport, code).observe(seconds);
}
