import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, RedisServerProcess } from '@app/testing';
import { ConformanceV1 } from '@app/testing/conformance/conformance.contract';
import { loadTransportConfig, TransportConfig } from '../config/transport-config';
import type { Dispatch, OutboundCall } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { replyChannelPrefix, requestListKey } from './redis-keys';
import { RedisDriver } from './redis.driver';

/** What the conformance suite cannot see: the list semantics, stale and malformed requests, prompt closes. */
describe('RedisDriver', () => {
  const broker = new RedisServerProcess();
  const drivers: RedisDriver[] = [];
  const raw: Redis[] = [];
  const namespace = 'spec';
  const key = requestListKey(namespace, ConformanceV1.service);

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.close()));
    raw.splice(0).forEach((r) => r.disconnect());
  });
  afterAll(() => broker.dispose());

  const driver = (overrides: Partial<TransportConfig> = {}, url = broker.url) => {
    const d = new RedisDriver(loadTransportConfig({ TRANSPORT: 'redis' }, { redisUrl: url, namespace, ...overrides }));
    drivers.push(d);
    return d;
  };
  const redis = async () => {
    const r = new Redis(broker.url);
    raw.push(r);
    await r.del(key);
    return r;
  };
  const call = (payload: { text: string }, timeoutMs = 3000, metadata: Record<string, string> = {}): OutboundCall => ({
    method: ConformanceV1.methods.echo,
    payload,
    body: JSON.stringify(payload),
    metadata,
    deadline: Date.now() + timeoutMs,
  });
  const counting = () => {
    const seen: string[] = [];
    const dispatch: Dispatch = async ({ payload, metadata }) => {
      seen.push((payload as { text: string }).text);
      return { ...(payload as object), metadata };
    };
    return { seen, dispatch };
  };
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (e: unknown) => (e instanceof RpcError ? StatusCode[e.code] : String(e)),
    );

  it('carries the metadata unchanged in the envelope', async () => {
    await driver().server([ConformanceV1]).listen(counting().dispatch);
    const metadata = { 'x-correlation-id': 'c-1', authorization: 'Bearer a.b.c', p: 'a "quoted" value, \\ too' };
    await expect(driver().client(ConformanceV1).send(call({ text: 'hi\nthere' }, 3000, metadata))).resolves.toEqual({
      text: 'hi\nthere',
      metadata,
    });
  });

  it('has each request handled by exactly one of two instances', async () => {
    await redis();
    const a = counting();
    const b = counting();
    await driver().server([ConformanceV1]).listen(a.dispatch);
    await driver().server([ConformanceV1]).listen(b.dispatch);
    const client = driver().client(ConformanceV1);
    const texts = Array.from({ length: 300 }, (_, i) => `t${i}`);
    await Promise.all(texts.map((text) => client.send(call({ text }))));
    expect([...a.seen, ...b.seen].sort()).toEqual([...texts].sort());
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
  });

  it('drops, unrun, a request whose deadline passed while it waited for an instance', async () => {
    const r = await redis();
    const client = driver().client(ConformanceV1);
    await expect(codeOf(client.send(call({ text: 'stale' }, 200)))).resolves.toBe('DEADLINE_EXCEEDED');
    expect(await r.llen(key)).toBe(1);
    const { seen, dispatch } = counting();
    await driver().server([ConformanceV1]).listen(dispatch);
    await expect(client.send(call({ text: 'fresh' }))).resolves.toMatchObject({ text: 'fresh' });
    expect(seen).toEqual(['fresh']);
  });

  it('gives a request list it creates an expiry, so an abandoned list does not live forever', async () => {
    const r = await redis();
    await codeOf(driver({ timeoutMs: 20_000 }).client(ConformanceV1).send(call({ text: 'anyone?' }, 100)));
    const ttl = await r.pttl(key);
    expect(ttl).toBeGreaterThan(70_000);
    expect(ttl).toBeLessThanOrEqual(80_000);
  });

  it('pushes the calls of one turn together, in order, with an expiry, and answers each on its own', async () => {
    const r = await redis();
    const client = driver({ timeoutMs: 20_000 }).client(ConformanceV1);
    await codeOf(client.send(call({ text: 'warm-up' }, 50))); // subscribed and connected
    await r.del(key);
    const texts = Array.from({ length: 300 }, (_, i) => `call ${i}`);
    const replies = texts.map((text) => client.send(call({ text })));
    await sleep(100);
    expect(await r.llen(key)).toBe(300);
    expect(await r.pttl(key)).toBeGreaterThan(70_000);
    const oldest = await r.lindex(key, -1);
    expect(oldest?.slice(oldest.indexOf('\n') + 1)).toBe(JSON.stringify({ text: 'call 0' }));
    const { seen, dispatch } = counting();
    await driver({ redisBatchWrites: false }).server([ConformanceV1]).listen(dispatch);
    expect((await Promise.all(replies)).map((reply) => (reply as { text: string }).text)).toEqual(texts);
    expect(seen).toEqual(texts);
  });

  it('answers a malformed request INVALID_ARGUMENT when it can, drops it otherwise, keeps serving', async () => {
    const r = await redis();
    const { seen, dispatch } = counting();
    await driver().server([ConformanceV1]).listen(dispatch);
    const subscriber = new Redis(broker.url);
    raw.push(subscriber);
    const channel = `${replyChannelPrefix(namespace)}raw`;
    await subscriber.subscribe(channel);
    const replies: string[] = [];
    subscriber.on('message', (_channel: string, text: string) => replies.push(text));
    const header = (fields: object) =>
      JSON.stringify({ i: 'x1', d: Date.now() + 3000, r: channel, m: 'conformance.v1.Echo', md: {}, ...fields });
    await r.lpush(key, 'no header at all');
    await r.lpush(key, `${header({ md: { big: 'x'.repeat(40_000) } })}\n{}`);
    await r.lpush(key, `{"i":"x0","r":"${channel}"\n{}`);
    await r.lpush(key, `${header({ r: 'elsewhere' })}\n{"text":"nowhere"}`);
    await r.lpush(key, `${header({ m: 42 })}\n{"text":"bad method"}`);
    await r.lpush(key, `${header({ i: 'x2' })}\n{"text": oops`);
    const client = driver().client(ConformanceV1);
    await expect(client.send(call({ text: 'after' }))).resolves.toMatchObject({ text: 'after' });
    for (let i = 0; i < 20 && replies.length < 2; i++) await sleep(25);
    expect(replies.map((text) => JSON.parse(text))).toEqual([
      { i: 'x1', e: { code: StatusCode.INVALID_ARGUMENT, message: expect.stringContaining('no method') } },
      { i: 'x2', e: { code: StatusCode.INVALID_ARGUMENT, message: 'request payload is not valid JSON' } },
    ]);
    expect(seen).toEqual(['after']);
  });

  it('closes an idle server at once, leaving later requests for the next instance', async () => {
    const r = await redis();
    const first = counting();
    const server = driver().server([ConformanceV1]);
    await server.listen(first.dispatch);
    await sleep(50);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(300);
    const client = driver().client(ConformanceV1);
    const answer = client.send(call({ text: 'later' }));
    await sleep(100);
    expect(await r.llen(key)).toBe(1);
    const second = counting();
    await driver().server([ConformanceV1]).listen(second.dispatch);
    await expect(answer).resolves.toMatchObject({ text: 'later' });
    expect(first.seen).toEqual([]);
  });

  it('fails a call at once with UNAVAILABLE when Redis is not there', async () => {
    const client = driver({}, `redis://127.0.0.1:${await freePort()}`).client(ConformanceV1);
    const started = Date.now();
    await expect(codeOf(client.send(call({ text: 'anyone?' })))).resolves.toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps a server waiting for an absent Redis until the driver closes', async () => {
    const d = driver({}, `redis://127.0.0.1:${await freePort()}`);
    const listening = d.server([ConformanceV1]).listen(counting().dispatch).then(
      () => 'listening',
      (error: Error) => error.message,
    );
    await sleep(600);
    await d.close();
    await expect(listening).resolves.toMatch(/closed before Redis was reachable/);
  });

  it('fails pending calls UNAVAILABLE when Redis dies, and closes (after its running call) while down', async () => {
    const own = await new RedisServerProcess().start();
    try {
      const slow: Dispatch = () => sleep(1000, {});
      const server = driver({}, own.url).server([ConformanceV1]);
      await server.listen(slow);
      const client = driver({}, own.url).client(ConformanceV1);
      const pending = codeOf(client.send(call({ text: 'slow' }, 4000)));
      await sleep(200);
      const killed = Date.now();
      await own.stop();
      await expect(pending).resolves.toBe('UNAVAILABLE');
      expect(Date.now() - killed).toBeLessThan(500);
      await expect(codeOf(client.send(call({ text: 'down' })))).resolves.toBe('UNAVAILABLE');
      const closing = Date.now();
      await Promise.all(drivers.splice(0).map((d) => d.close()));
      expect(Date.now() - closing).toBeLessThan(1500);
    } finally {
      await own.dispose();
    }
  }, 10_000);
});
