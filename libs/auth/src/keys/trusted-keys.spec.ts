import { Logger } from '@nestjs/common';
import { CaptureLogger } from '../testing/capture-logger';
import { JwksTestServer } from '../testing/jwks-test-server';
import { jwksOf, makeTestKey, writeTestKeys } from '../testing/test-keys';
import { fileJwksSource, MAX_JWKS_BYTES, urlJwksSource } from './jwks-source';
import { TrustedKeys } from './trusted-keys';

describe('TrustedKeys', () => {
  const oldKey = makeTestKey('orders', 'old');
  const newKey = makeTestKey('orders', 'new');
  const server = new JwksTestServer();
  let url: string;
  let keys: TrustedKeys | undefined;
  const logs = new CaptureLogger();

  beforeAll(async () => {
    Logger.overrideLogger(logs);
    url = await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.jwks = jwksOf(oldKey);
    server.status = 200;
    server.requests = 0;
  });
  afterEach(() => keys?.onApplicationShutdown());

  const start = async (options: { refreshMs?: number; unknownKidRefreshMs?: number } = {}) => {
    keys = new TrustedKeys(urlJwksSource(url), { refreshMs: 60_000, unknownKidRefreshMs: 0, ...options });
    await keys.onModuleInit();
    return keys;
  };

  it('loads the JWKS URL at start', async () => {
    const trusted = await start();
    expect(trusted.ready).toBe(true);
    expect((await trusted.find('orders:old'))?.material).toBe(oldKey.publicKeyPem);
  });

  it('reads the JWKS again for an unknown key id, so a newly published key is accepted', async () => {
    const trusted = await start();
    server.jwks = jwksOf(oldKey, newKey);
    expect((await trusted.find('orders:new'))?.material).toBe(newKey.publicKeyPem);
    expect(await trusted.find('orders:old')).toBeDefined();
    expect(server.requests).toBe(2);
  });

  it('reads at most once per cooldown however many unknown key ids arrive, and shares one read between them', async () => {
    const trusted = await start({ unknownKidRefreshMs: 60_000 });
    const lookups = await Promise.all(Array.from({ length: 50 }, (_, i) => trusted.find(`orders:made-up-${i}`)));
    expect(lookups.every((key) => key === undefined)).toBe(true);
    expect(await trusted.find('orders:another')).toBeUndefined();
    expect(server.requests).toBe(2);
  });

  it('refreshes periodically, and keeps the last good set when a read fails', async () => {
    const trusted = await start({ refreshMs: 50 });
    const version = trusted.version;
    server.jwks = jwksOf(newKey);
    await waitFor(() => trusted.version > version);
    expect(await trusted.find('orders:new')).toBeDefined();
    server.status = 500;
    const requests = server.requests;
    await waitFor(() => server.requests > requests + 1);
    expect(trusted.size).toBe(1);
    expect(logs.text).toContain(`cannot read the trusted service keys from ${url}: HTTP 500 (keeping the 1 known)`);
    server.status = 200;
    server.jwks = JSON.stringify({ keys: [newKey.jwk], padding: 'x'.repeat(MAX_JWKS_BYTES) });
    const more = server.requests;
    await waitFor(() => server.requests > more + 1);
    expect(await trusted.find('orders:new')).toBeDefined();
    expect(logs.text).toContain(`${url}: over 262144 bytes`);
  });

  it('may start before the JWKS URL answers, and is not ready until it does', async () => {
    server.status = 503;
    const trusted = await start();
    expect(trusted.ready).toBe(false);
    server.status = 200;
    expect(await trusted.find('orders:old')).toBeDefined();
    expect(trusted.ready).toBe(true);
  });

  it('requires a JWKS file to load at start', async () => {
    const files = writeTestKeys([oldKey]);
    keys = new TrustedKeys(fileJwksSource(files.jwksFile), { refreshMs: 60_000, unknownKidRefreshMs: 0 });
    await keys.onModuleInit();
    expect(await keys.find('orders:old')).toBeDefined();
    keys.onApplicationShutdown();
    keys = new TrustedKeys(fileJwksSource(`${files.dir}/missing.json`), { refreshMs: 60_000, unknownKidRefreshMs: 0 });
    await expect(keys.onModuleInit()).rejects.toThrow(/cannot load the trusted keys \(SERVICE_JWKS_FILE\)/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
