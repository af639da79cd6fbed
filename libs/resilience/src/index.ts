export * from './config/resilience-config';
export * from './retry/retry-budget';
export * from './retry/retryable';
export * from './retry/retry.interceptor';
export * from './breaker/circuit-breaker.interceptor';
export * from './bulkhead/bulkhead.interceptor';
export * from './resilience';
