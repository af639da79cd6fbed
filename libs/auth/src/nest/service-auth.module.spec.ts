import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { DEV_SERVICE_AUTH_SECRET } from '../config/dev-secret';
import { AuthFixture } from '../testing/auth-fixture';
import { CaptureLogger } from '../testing/capture-logger';
import { jwksOf, makeTestKey, writeTestKeys } from '../testing/test-keys';
import { ServiceTokenIssuer } from '../token/service-token-issuer';
import { ServiceTokenVerifier } from '../token/service-token-verifier';
import { ServiceAuthModule, ServiceAuthModuleOptions } from './service-auth.module';
import { PaymentsV1 } from '@app/contracts';
import type { ClientInterceptorFactory } from '@app/transport';
import type { EventMetadataStamp } from '@app/messaging';
import { EVENTS_AUDIENCE } from '../token/service-token-claims';
import { EVENT_TOKEN_STAMP, SERVICE_TOKEN_INTERCEPTORS } from './tokens';

describe('ServiceAuthModule', () => {
  const fixture = new AuthFixture(['orders', 'payments']);
  const opened: INestApplicationContext[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((app) => app.close()));
    fixture.stop();
  });

  const start = async (options: ServiceAuthModuleOptions, logger = new CaptureLogger()) => {
    @Module({ imports: [ServiceAuthModule.forService(options)] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger, abortOnError: false });
    opened.push(app);
    await app.init();
    return app;
  };

  it('provides the issuer, the verifier, the client interceptor factory and the event token stamp', async () => {
    const app = await start({ service: 'orders', config: fixture.options('orders') });
    const token = app.get(ServiceTokenIssuer).tokenFor('orders');
    await expect(app.get(ServiceTokenVerifier).verify(token, { audience: 'orders' })).resolves.toEqual({ service: 'orders', scopes: [] });
    expect(app.get<ClientInterceptorFactory>(SERVICE_TOKEN_INTERCEPTORS)(PaymentsV1)).toHaveLength(1);
    const stamped = app.get<EventMetadataStamp>(EVENT_TOKEN_STAMP)({ 'x-correlation-id': 'c-1' });
    expect(stamped['x-correlation-id']).toBe('c-1');
    const eventToken = stamped.authorization.replace(/^Bearer /, '');
    await expect(app.get(ServiceTokenVerifier).verify(eventToken, { audience: EVENTS_AUDIENCE, issuer: 'orders' })).resolves.toMatchObject({
      service: 'orders',
    });
  });

  it('refuses to start in production without keys, or with the development secret', async () => {
    await expect(start({ service: 'orders', config: { production: true } })).rejects.toThrow(/NODE_ENV=production needs asymmetric service keys/);
    await expect(start({ service: 'orders', config: { production: true, secret: DEV_SERVICE_AUTH_SECRET } })).rejects.toThrow(
      /documented development default/,
    );
  });

  it('starts in production with keys', async () => {
    const app = await start({ service: 'payments', config: fixture.options('payments', { production: true }) });
    expect(app.get(ServiceTokenIssuer).service).toBe('payments');
  });

  it('refuses to start when the JWKS publishes another key under its key id', async () => {
    const mine = makeTestKey('orders');
    const files = writeTestKeys([mine], jwksOf(makeTestKey('orders')));
    const options = { keyFile: files.keyFile('orders'), keyId: 'orders:k1', jwksFile: files.jwksFile };
    await expect(start({ service: 'orders', config: options })).rejects.toThrow(/publishes another public key for orders:k1/);
    writeFileSync(files.jwksFile, jwksOf(makeTestKey('payments')));
    const logs = new CaptureLogger();
    await start({ service: 'orders', config: options }, logs);
    expect(logs.text).toMatch(/orders:k1 is not in the trusted JWKS yet/);
  });

  it('warns in development mode, without printing the secret', async () => {
    const logs = new CaptureLogger();
    const app = await start({ service: 'orders', config: {} }, logs);
    expect(logs.text).toMatch(/HS256 with the documented development secret/);
    expect(logs.text).not.toContain(DEV_SERVICE_AUTH_SECRET);
    const token = app.get(ServiceTokenIssuer).tokenFor('orders');
    await expect(app.get(ServiceTokenVerifier).verify(token, { audience: 'orders' })).resolves.toMatchObject({ service: 'orders' });
    const secret = 'CANARY-custom-development-secret-000';
    const custom = new CaptureLogger();
    await start({ service: 'orders', config: { secret } }, custom);
    expect(custom.text).toMatch(/HS256 with SERVICE_AUTH_SECRET/);
    expect(custom.text).not.toContain('CANARY');
  });
});
