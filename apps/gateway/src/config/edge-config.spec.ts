import { loadEdgeConfig } from './edge-config';

describe('loadEdgeConfig', () => {
  it('reads CORS_ORIGINS, the rate limits, the push buffer and the summary deadline', () => {
    const config = loadEdgeConfig({
      CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173',
      RATE_LIMIT_STORE: 'redis',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_PER_CLIENT: '5',
      RATE_LIMIT_PER_IP: '7',
      RATE_LIMIT_ON_STORE_FAILURE: 'closed',
      RATE_LIMIT_STORE_TIMEOUT_MS: '120',
      PUSH_BUFFER_PER_CUSTOMER: '3',
      PUSH_BUFFER_CUSTOMERS: '4',
      SUMMARY_DEADLINE_MS: '800',
      HTTP_PLATFORM: 'Express',
    });
    expect(config).toEqual({
      httpPlatform: 'express',
      corsOrigins: ['https://shop.example.com', 'http://localhost:5173'],
      rateLimit: { store: 'redis', windowSeconds: 10, perClient: 5, perIp: 7, onStoreFailure: 'closed', storeTimeoutMs: 120 },
      push: { bufferPerCustomer: 3, bufferCustomers: 4 },
      summaryDeadlineMs: 800,
    });
  });

  it('lets requests through uncounted by default when the store fails, after at most 250 ms', () => {
    expect(loadEdgeConfig({}).rateLimit).toMatchObject({ onStoreFailure: 'open', storeTimeoutMs: 250 });
    expect(loadEdgeConfig({ RATE_LIMIT_ON_STORE_FAILURE: ' Closed ' }).rateLimit.onStoreFailure).toBe('closed');
  });

  it('runs on Fastify unless HTTP_PLATFORM says express', () => {
    expect(loadEdgeConfig({}).httpPlatform).toBe('fastify');
    expect(loadEdgeConfig({ HTTP_PLATFORM: ' ' }).httpPlatform).toBe('fastify');
    expect(loadEdgeConfig({ HTTP_PLATFORM: 'express' }).httpPlatform).toBe('express');
    expect(loadEdgeConfig({ HTTP_PLATFORM: 'fastify' }).httpPlatform).toBe('fastify');
  });

  it('counts in Redis by default only when REDIS_URL is set', () => {
    expect(loadEdgeConfig({}).rateLimit.store).toBe('memory');
    expect(loadEdgeConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).rateLimit.store).toBe('redis');
    expect(loadEdgeConfig({ REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_STORE: 'memory' }).rateLimit.store).toBe('memory');
  });

  it.each([
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: 'https://a.example.com/path' }, /CORS_ORIGINS/],
    [{ RATE_LIMIT_STORE: 'disk' }, /RATE_LIMIT_STORE/],
    [{ HTTP_PLATFORM: 'koa' }, /HTTP_PLATFORM must be express or fastify/],
    [{ RATE_LIMIT_ON_STORE_FAILURE: 'ignore' }, /RATE_LIMIT_ON_STORE_FAILURE must be open or closed/],
    [{ RATE_LIMIT_STORE_TIMEOUT_MS: '0' }, /RATE_LIMIT_STORE_TIMEOUT_MS/],
    [{ RATE_LIMIT_PER_IP: '0' }, /RATE_LIMIT_PER_IP/],
    [{ RATE_LIMIT_WINDOW_SECONDS: 'x' }, /RATE_LIMIT_WINDOW_SECONDS/],
    [{ SUMMARY_DEADLINE_MS: '10' }, /SUMMARY_DEADLINE_MS/],
  ])('refuses %p, naming the variable', (env, name) => {
    expect(() => loadEdgeConfig(env)).toThrow(name);
  });
});
