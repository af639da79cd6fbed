import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** The apps' and libs' source (specs left out), where every variable they read is named. */
const SOURCE = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => /^(apps|libs)\/.*\.ts$/.test(f) && !f.includes('node_modules') && !f.endsWith('.spec.ts'))
  .map((f) => readFileSync(join(ROOT, f), 'utf8'))
  .join('\n');

/**
 * Whether the apps read an environment variable: named in their source, built from an app name, or one of
 * OpenTelemetry's standard `OTEL_*` settings (read by the SDK the apps start).
 */
export const readByApps = (name: string): boolean =>
  SOURCE.includes(`'${name}'`) ||
  SOURCE.includes(`env.${name}`) ||
  /^(ORDERS|INVENTORY|PAYMENTS|NOTIFICATIONS)_(HTTP_PORT|ADDR)$/.test(name) ||
  /^OTEL_[A-Z_]+$/.test(name);
