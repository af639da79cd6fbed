/**
 * The health endpoints on every app's HTTP port, as orchestrators probe them (the Kubernetes manifests under
 * deploy/ use these; a test checks they match): live = the process works (restart it otherwise), ready = it can
 * take traffic now (brokers reachable, started, not shutting down).
 */
export const HEALTH_LIVE_PATH = '/health/live';
export const HEALTH_READY_PATH = '/health/ready';
