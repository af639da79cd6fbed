import { usageError } from './cli-error';

export const APPS = ['gateway', 'orders', 'inventory', 'payments', 'notifications'] as const;
export type AppName = (typeof APPS)[number];

const DEFAULT_PORTS: Record<AppName, number> = { gateway: 3000, orders: 3001, inventory: 3002, payments: 3003, notifications: 3004 };

export function isApp(name: string): name is AppName {
  return (APPS as readonly string[]).includes(name);
}

/**
 * Where an app's HTTP side (health, metrics, admin) is, from the same variables the apps read: PORT for the
 * gateway, `<APP>_HTTP_PORT` for the others, on `CLI_HOST` (default 127.0.0.1). `<APP>_URL` overrides it all.
 */
export function appUrl(app: AppName, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[`${app.toUpperCase()}_URL`];
  if (explicit) return explicit.replace(/\/+$/, '');
  const variable = app === 'gateway' ? 'PORT' : `${app.toUpperCase()}_HTTP_PORT`;
  const raw = env[variable];
  const port = raw === undefined || raw === '' ? DEFAULT_PORTS[app] : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`${variable} must be a port number; got "${raw}"`);
  return `http://${env.CLI_HOST || '127.0.0.1'}:${port}`;
}
