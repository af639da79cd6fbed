import { Counter, Gauge } from 'prom-client';
import { LabelCache } from './label-cache';
import { metricsRegistry } from './metrics-registry';

/** 0 closed, 1 half-open, 2 open, 3 isolated (held open by hand). */
export const BREAKER_STATE_VALUES: Record<string, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

const breakerState = new Gauge({
  name: 'switchboard_circuit_breaker_state',
  help: 'Circuit breaker state per caller and target service: 0 closed, 1 half-open, 2 open, 3 isolated',
  labelNames: ['caller', 'target'],
  registers: [metricsRegistry],
});

const retries = new Counter({
  name: 'switchboard_rpc_retries_total',
  help: 'Calls sent again after a retryable failure, by caller, target, method and the failure code',
  labelNames: ['caller', 'target', 'method', 'code'],
  registers: [metricsRegistry],
});

const states = new LabelCache((values) => breakerState.labels(...values));
/** caller -> target -> state, for the callers' readiness. */
const current = new Map<string, Map<string, string>>();
const retryCounts = new LabelCache((values) => retries.labels(...values));

export function recordBreakerState(caller: string, target: string, state: string): void {
  states.get(caller, target).set(BREAKER_STATE_VALUES[state] ?? -1);
  let targets = current.get(caller);
  if (!targets) current.set(caller, (targets = new Map()));
  targets.set(target, state);
}

/** The last known breaker state of each target `caller` calls (targets it has not called yet are absent). */
export function breakerStatesOf(caller: string): Record<string, string> {
  return Object.fromEntries(current.get(caller) ?? []);
}

export function recordRetry(caller: string, target: string, method: string, code: string): void {
  retryCounts.get(caller, target, method, code).inc();
}
