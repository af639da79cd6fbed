import { randomBytes } from 'node:crypto';
import { MemoryBroker } from '@app/transport';
import { freePort, RedisServerProcess } from '@app/testing';
import { startTestGateway, TEST_ENV, TestGateway } from '../testing/test-gateway';

/**
 * The gateway with its rate-limit Redis down (nothing listening) or paused (SIGSTOP): every request is answered
 * as RATE_LIMIT_ON_STORE_FAILURE says, within RATE_LIMIT_STORE_TIMEOUT_MS, never with a 500.
 * (`/v1/orders/x` without a token: 401 once the rate limits let the request through.)
 */
describe('the rate-limit store down', () => {
  const broker = new MemoryBroker();
  const gateways: TestGateway[] = [];
  afterEach(async () => void (await Promise.all(gateways.splice(0).map((g) => g.close()))));

  const start = async (onFailure: 'open' | 'closed', redisUrl: string, namespace = `rl-${randomBytes(4).toString('hex')}`) => {
    const env = { ...TEST_ENV, RATE_LIMIT_STORE: 'redis', RATE_LIMIT_ON_STORE_FAILURE: onFailure, RATE_LIMIT_STORE_TIMEOUT_MS: '200' };
    const gateway = await startTestGateway(broker, env, undefined, { redisUrl, namespace });
    gateways.push(gateway);
    return gateway;
  };
  const nowhere = async () => `redis://127.0.0.1:${await freePort()}`;

  it('open: lets requests through uncounted, without X-RateLimit headers', async () => {
    const gateway = await start('open', await nowhere());
    for (let i = 0; i < 3; i++) {
      const res = await gateway.fetch('/v1/orders/x');
      expect(res.status).toBe(401);
      expect(res.headers.get('x-ratelimit-limit-ip')).toBeNull();
    }
  });

  it('closed: refuses requests with 503 UNAVAILABLE, Retry-After and a body that says why', async () => {
    const gateway = await start('closed', await nowhere());
    const res = await gateway.fetch('/v1/orders/x');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      code: 'UNAVAILABLE',
      statusCode: 503,
      message: expect.stringContaining('rate limits cannot be checked'),
      details: { reason: 'RATE_LIMIT_STORE_UNAVAILABLE' },
    });
  });

  describe('paused (SIGSTOP)', () => {
    const redis = new RedisServerProcess();
    beforeAll(() => redis.start());
    afterAll(async () => {
      if (redis.pid) process.kill(redis.pid, 'SIGCONT');
      await redis.dispose();
    });

    it('answers within the store timeout while Redis is paused, and counts again once it is back', async () => {
      const gateway = await start('open', redis.url);
      const counted = await gateway.fetch('/v1/orders/x');
      expect(counted.headers.get('x-ratelimit-limit-ip')).not.toBeNull();
      process.kill(redis.pid!, 'SIGSTOP');
      try {
        const started = Date.now();
        const answers = await Promise.all(Array.from({ length: 5 }, () => gateway.fetch('/v1/orders/x')));
        expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
        expect(Date.now() - started).toBeLessThan(200 + 500);
      } finally {
        process.kill(redis.pid!, 'SIGCONT');
      }
      for (const until = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 100))) {
        const res = await gateway.fetch('/v1/orders/x');
        if (res.headers.get('x-ratelimit-limit-ip') !== null) break;
        if (Date.now() > until) throw new Error('the rate limits are not counted again after SIGCONT');
      }
    });
  });
});
