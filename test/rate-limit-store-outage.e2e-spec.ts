import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, freePort, parsePrometheusText, sampleSum } from '@app/testing';

/**
 * The built gateway with its rate-limit Redis unreachable (REDIS_URL pointing at nothing), as an operator meets
 * it: /health/live, /health/ready and /metrics answer whatever the store does; API requests are let through
 * (RATE_LIMIT_ON_STORE_FAILURE=open, the default) or refused with 503 (closed), never answered 500; each failure
 * is counted in switchboard_rate_limit_store_failures_total and logged, but not once per request.
 * The gateway runs alone on TCP: its services are not needed for any of this.
 */
describe.each(['open', 'closed'] as const)('the gateway with its rate-limit Redis unreachable, failing %s', (policy) => {
  const dataDir = mkdtempSync(join(tmpdir(), `sb-ratelimit-${policy}-`));
  let gateway: AppProcess;
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      TRANSPORT: 'tcp',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: String(port),
      AUTH_CLIENTS: 'alice:alice-secret',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      ...(policy === 'closed' && { RATE_LIMIT_ON_STORE_FAILURE: 'closed' }),
    };
    for (const service of ['orders', 'inventory', 'payments', 'notifications']) env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
    gateway = new AppProcess('gateway', env).start();
    await gateway.waitForLog('HTTP on', 60_000);
  });

  afterAll(async () => {
    const ending = await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(ending).toBe('graceful');
  });

  it('answers /health/live, /health/ready and /metrics without the store', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics']) {
      const res = await fetch(`${url}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  it(policy === 'open' ? 'lets API requests through uncounted' : 'refuses API requests with 503 and a body that says why', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/v1/orders/x`);
      statuses.push(res.status);
      if (policy === 'closed' && i === 0) {
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.json()).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'RATE_LIMIT_STORE_UNAVAILABLE' }, requestId: expect.any(String) });
      }
    }
    // 401: the rate limits let the request through, and the auth guard refused it (no token).
    expect(new Set(statuses)).toEqual(new Set([policy === 'open' ? 401 : 503]));

    const metrics = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    const failures = sampleSum(metrics, 'switchboard_rate_limit_store_failures_total', { decision: policy === 'open' ? 'allowed' : 'refused' });
    expect(failures).toBeGreaterThanOrEqual(20);
    // One warning line for the outage, not one per request.
    const warnings = gateway.logs.split('\n').filter((line) => line.includes('the rate-limit store failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`RATE_LIMIT_ON_STORE_FAILURE=${policy}`);
  });
});
