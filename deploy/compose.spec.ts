import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_HTTP_PORTS, DEFAULT_SERVICE_PORTS } from '@app/transport';
import { readByApps } from './app-env-names';

/**
 * docker-compose.yml, parsed (with its `<<` merges) and checked against the apps: every app is there, each can be
 * scaled (`--scale <app>=3`: no fixed container name, no published port but the gateway's), its ports are the
 * apps' defaults, and every variable it sets is one the apps read.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { APPS, SERVICES } = require('../scripts/apps') as { APPS: string[]; SERVICES: string[] };
const ROOT = join(__dirname, '..');

interface ComposeService {
  command?: string[];
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };


describe('docker-compose.yml', () => {
  it.each(APPS)('%s: runs the built app, can be scaled, sets only variables the apps read', (app) => {
    const service = compose.services[app];
    expect(service.command).toEqual(['node', `dist/apps/${app}/main.js`]);
    expect(service.container_name).toBeUndefined();
    if (app !== 'gateway') expect(service.ports).toBeUndefined();
    const names = Object.keys(service.environment ?? {});
    expect(names.filter((name) => !readByApps(name))).toEqual([]);
    expect(service.environment?.DISCOVERY).toMatch(/^\$\{DISCOVERY:-(nats|redis)\}$/);
  });

  it.each(SERVICES)('%s: listens on its RPC and HTTP ports on every interface', (app) => {
    const env = compose.services[app].environment!;
    expect(env.RPC_LISTEN).toBe(`0.0.0.0:${DEFAULT_SERVICE_PORTS[app]}`);
    expect(env[`${app.toUpperCase()}_HTTP_PORT`]).toBe(String(DEFAULT_HTTP_PORTS[app]));
    expect(env[`${app.toUpperCase()}_ADDR`]).toBe(`${app}:${DEFAULT_SERVICE_PORTS[app]}`);
  });
});
