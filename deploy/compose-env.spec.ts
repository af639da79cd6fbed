import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig } from '../apps/gateway/src/config/gateway-config';
import { loadAdminConfig } from '../libs/messaging/src/dead-letters/admin/admin-config';

/**
 * `.env.example`, which `cp .env.example .env` turns into the settings `docker compose up` reads: it names every
 * variable docker-compose.yml interpolates (so none is missing, and no `${X:?...}` stops compose), its secrets pass
 * the apps' production checks (the image runs with NODE_ENV=production), and a real `.env` stays out of git and the
 * image.
 */
const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

const example = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
) as Record<string, string>;
const interpolated = [...new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]))];

describe('.env.example for docker compose', () => {
  it('sets every variable docker-compose.yml interpolates, and only those', () => {
    expect(interpolated.length).toBeGreaterThan(0);
    expect(Object.keys(example).sort()).toEqual([...interpolated].sort());
  });

  it('has secrets the production checks of the gateway and the admin endpoints accept', () => {
    const env = { ...example, NODE_ENV: 'production' };
    expect(() => loadGatewayConfig(env)).not.toThrow();
    expect(loadAdminConfig(env)).toEqual({ token: example.ADMIN_TOKEN, devDefault: false });
    expect(['nats', 'redis', 'grpc', 'tcp']).toContain(example.TRANSPORT);
    expect(['nats', 'redis']).toContain(example.DISCOVERY);
  });

  it('keeps a real .env out of git and out of the image', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });
});
