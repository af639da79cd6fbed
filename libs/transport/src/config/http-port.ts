/** Default HTTP port of each app: the gateway's REST API, the others' health and metrics side. */
export const DEFAULT_HTTP_PORTS: Record<string, number> = {
  gateway: 3000,
  orders: 3001,
  inventory: 3002,
  payments: 3003,
  notifications: 3004,
};

/** `PORT` for the gateway, `<APP>_HTTP_PORT` for the others (so all five can share one process or host). */
export function httpPortFor(app: string, env: NodeJS.ProcessEnv = process.env): number {
  const name = app === 'gateway' ? 'PORT' : `${app.toUpperCase()}_HTTP_PORT`;
  const raw = env[name];
  if (raw === undefined || raw === '') return DEFAULT_HTTP_PORTS[app];
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}
