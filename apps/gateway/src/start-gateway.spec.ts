import { INestApplication, Logger } from '@nestjs/common';
import { freePort } from '@app/testing';
import { DEMO_CLIENT_SECRET } from './config/gateway-config';
import { startGateway } from './start-gateway';
import { testLogs } from './testing/test-gateway';

/** The gateway's real entry point (the shared startService), as `main.ts` and the all-in-one system run it. */
describe('startGateway', () => {
  const KEYS = ['NODE_ENV', 'JWT_SECRET', 'AUTH_CLIENTS', 'PORT', 'HOST', 'TRANSPORT', 'OIDC_ISSUER', 'OIDC_AUDIENCE'];
  const saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));
  beforeAll(() => Logger.overrideLogger(testLogs));
  afterEach(() => {
    for (const key of KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('refuses to start in production on missing settings or documented defaults, before opening anything', async () => {
    process.env.NODE_ENV = 'production';
    delete process.env.JWT_SECRET;
    delete process.env.AUTH_CLIENTS;
    await expect(startGateway()).rejects.toThrow('JWT_SECRET must be set when NODE_ENV=production');

    process.env.JWT_SECRET = 'a-production-signing-key-of-32-chars+';
    await expect(startGateway()).rejects.toThrow('AUTH_CLIENTS must be set when NODE_ENV=production');

    process.env.AUTH_CLIENTS = `demo:${DEMO_CLIENT_SECRET}`;
    await expect(startGateway()).rejects.toThrow(/documented development default/);

    process.env.AUTH_CLIENTS = 'web:a-long-random-secret';
    Object.assign(process.env, { OIDC_ISSUER: 'http://sso.internal/realms/shop', OIDC_AUDIENCE: 'shop-api' });
    await expect(startGateway()).rejects.toThrow('OIDC_ISSUER must be an https URL');
  });

  it('outside production, serves the demo client, reads bodies up to 64 KiB, and says which OIDC provider it trusts', async () => {
    Object.assign(process.env, { NODE_ENV: 'test', TRANSPORT: 'memory', HOST: '127.0.0.1', PORT: String(await freePort()) });
    Object.assign(process.env, { OIDC_ISSUER: 'http://127.0.0.1:9/realms/shop', OIDC_AUDIENCE: 'shop-api' });
    delete process.env.JWT_SECRET;
    delete process.env.AUTH_CLIENTS;
    const app: INestApplication = await startGateway();
    try {
      const token = (client_secret: string) =>
        fetch(`http://127.0.0.1:${process.env.PORT}/v1/auth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo', client_secret }),
        });
      expect(testLogs.lines.join('\n')).toContain('AUTH_CLIENTS is not set: using the demo client (demo / demo-secret)');
      expect(testLogs.lines.join('\n')).toContain(
        'accepting OpenID Connect tokens of http://127.0.0.1:9/realms/shop for audience shop-api (customer: sub)',
      );
      expect((await token(DEMO_CLIENT_SECRET)).status).toBe(200);
      expect((await token('x'.repeat(63 * 1024))).status).toBe(401);
      expect((await token('x'.repeat(65 * 1024))).status).toBe(413);
    } finally {
      await app.close();
    }
  });
});
