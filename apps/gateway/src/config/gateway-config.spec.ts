import {
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  DEMO_CLIENT_SECRET,
  DEV_JWT_SECRET,
  loadGatewayConfig,
  parseClients,
} from './gateway-config';

const PROD_SECRET = 'a-production-signing-key-of-32-chars+';

describe('loadGatewayConfig', () => {
  it('outside production, defaults to the documented demo client and development key', () => {
    const config = loadGatewayConfig({});
    expect(config).toEqual({
      production: false,
      jwtSecret: DEV_JWT_SECRET,
      tokenTtlSeconds: DEFAULT_TOKEN_TTL_SECONDS,
      clients: new Map([['demo', DEMO_CLIENT_SECRET]]),
      idempotency: { ttlSeconds: DEFAULT_IDEMPOTENCY_TTL_SECONDS },
      edge: {
        httpPlatform: 'fastify',
        corsOrigins: [],
        rateLimit: { store: 'memory', windowSeconds: 60, perClient: 6000, perIp: 60_000, onStoreFailure: 'open', storeTimeoutMs: 250 },
        push: { bufferPerCustomer: 100, bufferCustomers: 10_000 },
        summaryDeadlineMs: 1500,
      },
      defaultsInUse: ['JWT_SECRET', 'AUTH_CLIENTS'],
    });
    expect(DEFAULT_TOKEN_TTL_SECONDS).toBe(3600);
  });

  it('reads JWT_SECRET, TOKEN_TTL_SECONDS and AUTH_CLIENTS (configured clients replace the demo client)', () => {
    const config = loadGatewayConfig({ JWT_SECRET: 'k', TOKEN_TTL_SECONDS: '60', AUTH_CLIENTS: 'web:s1, mobile-app:s:2' });
    expect(config.jwtSecret).toBe('k');
    expect(config.tokenTtlSeconds).toBe(60);
    expect(config.clients).toEqual(new Map([['web', 's1'], ['mobile-app', 's:2']]));
    expect(config.defaultsInUse).toEqual([]);
  });

  it.each(['0', '-5', '1.5', 'soon', '86401'])('refuses TOKEN_TTL_SECONDS=%s', (ttl) => {
    expect(() => loadGatewayConfig({ TOKEN_TTL_SECONDS: ttl })).toThrow(/TOKEN_TTL_SECONDS must be an integer between 1 and 86400/);
  });

  describe('with NODE_ENV=production', () => {
    const prod = (env: NodeJS.ProcessEnv) =>
      loadGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: PROD_SECRET, AUTH_CLIENTS: 'web:a-long-random-secret', ...env });

    it('starts with its own key and clients', () => {
      expect(prod({})).toMatchObject({ production: true, jwtSecret: PROD_SECRET, defaultsInUse: [] });
    });

    it.each<[string, NodeJS.ProcessEnv, RegExp]>([
      ['JWT_SECRET unset', { JWT_SECRET: undefined }, /JWT_SECRET must be set when NODE_ENV=production/],
      ['JWT_SECRET empty', { JWT_SECRET: '' }, /JWT_SECRET must be set/],
      ['JWT_SECRET the development default', { JWT_SECRET: DEV_JWT_SECRET }, /JWT_SECRET is a documented development default/],
      ['JWT_SECRET the demo secret', { JWT_SECRET: DEMO_CLIENT_SECRET }, /JWT_SECRET is a documented development default/],
      ['JWT_SECRET too short', { JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
      ['AUTH_CLIENTS unset', { AUTH_CLIENTS: undefined }, /AUTH_CLIENTS must be set when NODE_ENV=production/],
      ['AUTH_CLIENTS blank', { AUTH_CLIENTS: ' ' }, /AUTH_CLIENTS must be set/],
      [
        'the demo secret',
        { AUTH_CLIENTS: `web:ok-secret-123,demo:${DEMO_CLIENT_SECRET}` },
        /secret of client "demo" is a documented development default/,
      ],
      ['the demo secret for another id', { AUTH_CLIENTS: `web:${DEMO_CLIENT_SECRET}` }, /client "web" is a documented/],
      ['the development key as a client secret', { AUTH_CLIENTS: `web:${DEV_JWT_SECRET}` }, /client "web" is a documented/],
    ])('refuses to start with %s', (_, env, message) => {
      expect(() => prod(env)).toThrow(message);
    });
  });
});

describe('parseClients (AUTH_CLIENTS)', () => {
  it.each<[string, RegExp]>([
    ['web', /AUTH_CLIENTS entry 1 is not id:secret/],
    ['web:s1,mobile', /AUTH_CLIENTS entry 2 is not id:secret/],
    ['web:s1,', /AUTH_CLIENTS entry 2 is not id:secret/],
    ['web:', /AUTH_CLIENTS entry 1: client "web" has an empty secret/],
    [':s1', /AUTH_CLIENTS entry 1: the client id must be 1-128 letters/],
    ['we b:s1', /the client id must be/],
    [`${'x'.repeat(129)}:s1`, /the client id must be/],
    ['web:s1,web:s2', /AUTH_CLIENTS entry 2: client "web" is configured twice/],
  ])('refuses %j with a message naming the entry', (raw, message) => {
    expect(() => parseClients(raw)).toThrow(message);
  });

  it('never quotes a secret in its errors', () => {
    for (const raw of ['hunter2-secret', 'web:hunter2-secret,web:hunter2-secret', 'web:hunter2-secret,hunter2-secret']) {
      expect(() => parseClients(raw)).toThrow();
      try {
        parseClients(raw);
      } catch (error) {
        expect(String(error)).not.toContain('hunter2');
      }
    }
  });
});

describe('idempotency settings (IDEMPOTENCY_*)', () => {
  it('defaults to 24 h and leaves the store to the transport', () => {
    expect(loadGatewayConfig({}).idempotency).toEqual({ ttlSeconds: 86_400 });
  });

  it('reads IDEMPOTENCY_STORE and IDEMPOTENCY_TTL_SECONDS', () => {
    expect(loadGatewayConfig({ IDEMPOTENCY_STORE: 'Redis', IDEMPOTENCY_TTL_SECONDS: '172800' }).idempotency).toEqual({
      store: 'redis',
      ttlSeconds: 172_800,
    });
    expect(loadGatewayConfig({ IDEMPOTENCY_STORE: 'memory' }).idempotency.store).toBe('memory');
  });

  it('refuses a bad store or TTL, naming the variable', () => {
    expect(() => loadGatewayConfig({ IDEMPOTENCY_STORE: 'postgres' })).toThrow(/IDEMPOTENCY_STORE/);
    for (const ttl of ['0', '-1', '1.5', 'day', String(31 * 86_400)]) {
      expect(() => loadGatewayConfig({ IDEMPOTENCY_TTL_SECONDS: ttl })).toThrow(/IDEMPOTENCY_TTL_SECONDS/);
    }
  });
});
