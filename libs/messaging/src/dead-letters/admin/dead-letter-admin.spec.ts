import { freePort } from '@app/testing';
import { DeadLetterAdminModule } from './dead-letter-admin.module';
import { DEV_ADMIN_TOKEN, loadAdminConfig } from './admin-config';
import { eventually, startThingsApp, ThingsApp } from '../testing/dead-letter-test-app';
import type { DeadLetterListView, DeadLetterReplayView, DeadLetterView } from './dead-letter-view';

const json = async <T>(response: Response | Promise<Response>): Promise<T> => (await (await response).json()) as T;

describe('ADMIN_TOKEN', () => {
  const strong = 'a'.repeat(32);

  it('is required in production, at least 32 characters, and never the development token', () => {
    expect(() => loadAdminConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN is required in production/);
    expect(() => loadAdminConfig({ NODE_ENV: 'production', ADMIN_TOKEN: '' })).toThrow(/required/);
    expect(() => loadAdminConfig({ NODE_ENV: 'production', ADMIN_TOKEN: DEV_ADMIN_TOKEN })).toThrow(/development token/);
    expect(() => loadAdminConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'short-token' })).toThrow(/at least 32/);
    expect(loadAdminConfig({ NODE_ENV: 'production', ADMIN_TOKEN: strong })).toEqual({ token: strong, devDefault: false });
  });

  it('defaults to the documented development token outside production', () => {
    expect(loadAdminConfig({})).toEqual({ token: DEV_ADMIN_TOKEN, devDefault: true });
    expect(loadAdminConfig({ ADMIN_TOKEN: 'dev' })).toEqual({ token: 'dev', devDefault: false });
    expect(loadAdminConfig({ ADMIN_TOKEN: 'x' }, { adminToken: 'from-options' }).token).toBe('from-options');
    expect(() => loadAdminConfig({ ADMIN_TOKEN: 'has space' })).toThrow(/printable ASCII/);
  });

  it('stops a production app that imports the admin module without it', async () => {
    const saved = { NODE_ENV: process.env.NODE_ENV, ADMIN_TOKEN: process.env.ADMIN_TOKEN };
    process.env.NODE_ENV = 'production';
    delete process.env.ADMIN_TOKEN;
    try {
      await expect(startThingsApp({ imports: [DeadLetterAdminModule.forService()] })).rejects.toThrow(/ADMIN_TOKEN is required/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('/admin/dead-letters over HTTP', () => {
  const token = 'admin-test-token-0123456789-abcdef';
  let t: ThingsApp;
  let base: string;
  /** `authorization` null: no header at all. */
  const call = (method: string, path: string, authorization: string | null = `Bearer ${token}`) =>
    fetch(`${base}${path}`, { method, headers: authorization === null ? {} : { authorization } });

  beforeAll(async () => {
    t = await startThingsApp({ imports: [DeadLetterAdminModule.forService({ adminToken: token })] });
    const port = await freePort();
    await t.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => t.close());

  it('refuses a missing, wrong or non-bearer admin token with 401 on every route, and runs nothing', async () => {
    t.things.failing.add(1);
    const id = await t.publish(1);
    await eventually(async () => (await call('GET', `/admin/dead-letters/${id}`)).status === 200, 'the dead letter');
    t.things.failing.delete(1);
    const deliveries = t.things.seen.length;
    for (const authorization of [null, 'Bearer wrong-token', `Bearer ${token}x`, `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`, token, 'Bearer ']) {
      for (const [method, path] of [
        ['GET', '/admin/dead-letters'],
        ['GET', `/admin/dead-letters/${id}`],
        ['POST', `/admin/dead-letters/${id}/replay`],
        ['DELETE', `/admin/dead-letters/${id}`],
      ]) {
        const response = await call(method, path, authorization);
        expect({ method, path, authorization, status: response.status }).toEqual({ method, path, authorization, status: 401 });
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="admin"/);
      }
    }
    expect(t.things.seen).toHaveLength(deliveries);
    expect((await json<DeadLetterView>(call('GET', `/admin/dead-letters/${id}`))).status).toBe('dead');
  });

  it('lists, inspects, replays once and discards', async () => {
    t.things.failing.add(2);
    const id = await t.publish(2, { 'x-correlation-id': 'corr-http', authorization: 'Bearer publisher.token.value' });
    await eventually(async () => (await call('GET', `/admin/dead-letters/${id}`)).status === 200, 'the dead letter');

    const list = await call('GET', `/admin/dead-letters?type=${encodeURIComponent('things.v1.Thing')}&limit=1`);
    expect(list.status).toBe(200);
    const page = await json<DeadLetterListView>(list);
    expect(page).toMatchObject({ group: 'things-consumer', storage: 'memory', items: [{ id, status: 'dead', deliveryCount: 3 }] });
    expect(page.items[0]).not.toHaveProperty('body');
    expect(typeof page.nextCursor).toBe('string');
    const next = await json<DeadLetterListView>(call('GET', `/admin/dead-letters?limit=1&cursor=${page.nextCursor}`));
    expect(next.items.map((l) => l.id)).not.toContain(id);
    expect((await call('GET', '/admin/dead-letters?limit=0')).status).toBe(400);
    expect((await call('GET', '/admin/dead-letters?status=lost')).status).toBe(400);
    expect((await call('GET', '/admin/dead-letters?cursor=x')).status).toBe(400);

    const detail = await json<DeadLetterView>(call('GET', `/admin/dead-letters/${id}`));
    expect(detail).toMatchObject({
      id,
      type: 'things.v1.Thing',
      body: '{"n":2}',
      metadata: { 'x-correlation-id': 'corr-http' },
      lastError: { code: 'UNKNOWN', message: 'thing 2 broke' },
      status: 'dead',
    });
    expect(detail.metadata).not.toHaveProperty('authorization');
    expect(Date.parse(detail.deadLetteredAt)).toBeGreaterThanOrEqual(Date.parse(detail.firstFailedAt));

    t.things.failing.delete(2);
    const replay = await call('POST', `/admin/dead-letters/${id}/replay`);
    expect(replay.status).toBe(200);
    expect(await json<DeadLetterReplayView>(replay)).toMatchObject({ outcome: 'handled', deadLetter: { id, status: 'replayed', replays: 1 } });
    const again = await call('POST', `/admin/dead-letters/${id}/replay`);
    expect(again.status).toBe(409);
    expect(await json<object>(again)).toMatchObject({ statusCode: 409, error: 'ABORTED' });
    expect(t.things.of(2).filter((s) => s.replay)).toHaveLength(1);

    expect((await call('DELETE', `/admin/dead-letters/${id}`)).status).toBe(204);
    expect((await call('GET', `/admin/dead-letters/${id}`)).status).toBe(404);
    expect((await call('POST', `/admin/dead-letters/${id}/replay`)).status).toBe(404);
    expect((await call('DELETE', `/admin/dead-letters/${id}`)).status).toBe(404);
  });
});
