import { envInt } from '@app/transport';

export interface SagaConfig {
  /** How long a forward step (reserve, charge) may keep failing before the saga compensates. */
  stepTimeoutMs: number;
  /** First delay before a failed step is tried again; doubles per attempt up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** How often the scheduler looks for sagas to resume. */
  pollMs: number;
  /** How long one process owns a saga it is running (renewed per step); another may take it over after that. */
  leaseMs: number;
  /** Sagas one process runs at once from the scheduler. */
  concurrency: number;
}

export const SAGA_CONFIG = Symbol('orders:saga-config');

/** SAGA_* settings; the lease outlives a step's call (RPC_TIMEOUT_MS) so two processes never run one step at once. */
export function loadSagaConfig(env: NodeJS.ProcessEnv = process.env): SagaConfig {
  const callTimeoutMs = envInt(env, 'RPC_TIMEOUT_MS', 5000, 1, 600_000);
  return {
    stepTimeoutMs: envInt(env, 'SAGA_STEP_TIMEOUT_MS', 30_000, 1, 86_400_000),
    retryBaseDelayMs: envInt(env, 'SAGA_RETRY_DELAY_MS', 200, 1, 3_600_000),
    retryMaxDelayMs: envInt(env, 'SAGA_RETRY_MAX_DELAY_MS', 5_000, 1, 3_600_000),
    pollMs: envInt(env, 'SAGA_POLL_MS', 500, 10, 60_000),
    leaseMs: envInt(env, 'SAGA_LEASE_MS', 2 * callTimeoutMs + 1000, 100, 3_600_000),
    concurrency: envInt(env, 'SAGA_CONCURRENCY', 32, 1, 1024),
  };
}
