import { RpcError, StatusCode } from '@app/transport';
import type { NewDeadLetter } from './dead-letter';
import { DeadLetterService } from './dead-letter.service';
import { MemoryDeadLetterStore } from './memory-dead-letter-store';
import { eventually, startThingsApp, Thing, ThingsApp } from './testing/dead-letter-test-app';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store whose first `failures` records fail (a database that is briefly unavailable). */
class FlakyStore extends MemoryDeadLetterStore {
  constructor(private failures: number) {
    super('things-consumer');
  }

  override async record(letter: NewDeadLetter): Promise<void> {
    if (this.failures-- > 0) throw new Error('database is locked');
    return super.record(letter);
  }
}

describe('dead letters of the EventServer (memory bus)', () => {
  let t: ThingsApp;
  let service: DeadLetterService;
  const start = async (options: Parameters<typeof startThingsApp>[0] = {}) => {
    t = await startThingsApp(options);
    service = t.app.get(DeadLetterService);
  };
  afterEach(() => t?.close());

  it('records a poison event after maxDeliveries with its metadata and last error, and the events behind it flow', async () => {
    await start();
    t.things.failing.add(1);
    const before = Date.now();
    const id = await t.publish(1, { authorization: 'Bearer publisher.token.value', 'x-correlation-id': 'corr-1', 'x-tenant': 'acme' });
    for (let n = 2; n <= 6; n++) await t.publish(n);
    const letter = await eventually(() => service.get(id).catch(() => undefined), 'the dead letter');
    expect(t.things.of(1).map((s) => s.deliveryCount)).toEqual([1, 2, 3]);
    await eventually(() => t.things.seen.filter((s) => s.n > 1).length === 5, 'the 5 events behind it');

    expect(letter).toMatchObject({
      id,
      type: Thing.type,
      group: 'things-consumer',
      body: '{"n":1}',
      metadata: { 'x-correlation-id': 'corr-1', 'x-tenant': 'acme' },
      deliveryCount: 3,
      lastError: { code: StatusCode.UNKNOWN, message: 'thing 1 broke' },
      status: 'dead',
      replays: 0,
    });
    expect(letter.metadata).not.toHaveProperty('authorization');
    expect(letter.publishedAt).toBeGreaterThanOrEqual(before);
    expect(letter.firstFailedAt).toBeGreaterThanOrEqual(letter.publishedAt ?? 0);
    expect(letter.deadLetteredAt).toBeGreaterThanOrEqual(letter.firstFailedAt + 20 + 40 - 5);
    expect(service.storage).toBe('memory');
    await pause(200);
    expect(t.things.of(1)).toHaveLength(3);
  });

  it('records an invalid payload at once, without a retry', async () => {
    await start();
    await t.bus.publish({ id: 'bad-json', type: Thing.type, body: '{oops', metadata: {} });
    await t.bus.publish({ id: 'bad-shape', type: Thing.type, body: '{"n":"one"}', metadata: {} });
    const notJson = await eventually(() => service.get('bad-json').catch(() => undefined), 'bad-json');
    const badShape = await eventually(() => service.get('bad-shape').catch(() => undefined), 'bad-shape');
    expect(notJson).toMatchObject({ deliveryCount: 1, lastError: { code: StatusCode.INVALID_ARGUMENT }, body: '{oops' });
    expect(badShape).toMatchObject({ deliveryCount: 1, lastError: { code: StatusCode.INVALID_ARGUMENT } });
    expect(notJson.firstFailedAt).toBe(notJson.deadLetteredAt);
    expect(t.things.seen).toHaveLength(0);
  });

  it('has an event it cannot record delivered again (nothing lost), then records it with the real error', async () => {
    await start({ store: new FlakyStore(1) });
    t.things.failing.add(1);
    const id = await t.publish(1);
    await t.publish(2);
    const letter = await eventually(() => service.get(id).catch(() => undefined), 'the dead letter');
    expect(letter).toMatchObject({ deliveryCount: 4, lastError: { code: StatusCode.UNKNOWN, message: 'thing 1 broke' } });
    expect(t.things.of(1)).toHaveLength(3);
    expect(t.things.of(2)).toHaveLength(1);
  });

  it('replays a dead letter through the handler with its own id and a fresh stamp: failed keeps it dead, handled marks it replayed, once', async () => {
    await start();
    t.things.failing.add(1);
    const id = await t.publish(1, { 'x-correlation-id': 'corr-r' });
    await eventually(() => service.get(id).catch(() => undefined), 'the dead letter');

    const failed = await service.replay(id);
    expect(failed.outcome).toBe('failed');
    expect(failed.deadLetter).toMatchObject({ status: 'dead', replays: 1, deliveryCount: 4, lastError: { message: 'thing 1 broke' } });

    t.things.failing.delete(1);
    const handled = await service.replay(id);
    expect(handled.outcome).toBe('handled');
    expect(handled.deadLetter).toMatchObject({ status: 'replayed', replays: 2 });
    expect(handled.deadLetter.replayedAt).toBeGreaterThanOrEqual(handled.deadLetter.replayStartedAt ?? Infinity);

    const replays = t.things.of(1).slice(3);
    expect(replays).toHaveLength(2);
    for (const seen of replays) {
      expect(seen).toMatchObject({ eventId: id, replay: true });
      expect(seen.metadata).toMatchObject({ 'x-replay-of': id, 'x-correlation-id': 'corr-r', authorization: 'Bearer fresh.stamped.token' });
    }
    expect(replays.map((s) => s.deliveryCount)).toEqual([4, 5]);

    await expect(service.replay(id)).rejects.toMatchObject({ code: StatusCode.ABORTED });
    expect(t.things.of(1)).toHaveLength(5);
    expect((await service.get(id)).metadata).not.toHaveProperty('authorization');
  });

  it('keeps a letter replayable when the replay itself was refused by service auth (the replay carries this service\'s token)', async () => {
    await start();
    t.things.failing.add(1);
    const id = await t.publish(1);
    await eventually(() => service.get(id).catch(() => undefined), 'the dead letter');
    t.things.errors.set(1, new RpcError(StatusCode.UNAUTHENTICATED, 'things.v1.Thing: service token issuer did not publish this event type'));
    const refused = await service.replay(id);
    expect(refused).toMatchObject({ outcome: 'failed', deadLetter: { status: 'dead', authRefused: false, lastError: { code: StatusCode.UNAUTHENTICATED } } });
    t.things.errors.delete(1);
    t.things.failing.delete(1);
    expect((await service.replay(id)).outcome).toBe('handled');
  });

  it('runs two concurrent replays of one letter once', async () => {
    await start();
    t.things.failing.add(1);
    const id = await t.publish(1);
    await eventually(() => service.get(id).catch(() => undefined), 'the dead letter');
    t.things.failing.delete(1);
    const results = await Promise.allSettled([service.replay(id), service.replay(id), service.replay(id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([
      StatusCode.ABORTED,
      StatusCode.ABORTED,
    ]);
    expect(t.things.of(1).filter((s) => s.replay)).toHaveLength(1);
  });

  it('does not replay a letter refused by service auth; lists, finds and discards', async () => {
    const store = new MemoryDeadLetterStore('things-consumer');
    await start({ store });
    const base = { type: Thing.type, group: 'things-consumer', body: '{"n":9}', metadata: {}, deliveryCount: 1, firstFailedAt: 1, deadLetteredAt: 2 };
    await store.record({ ...base, id: 'forged', authRefused: true, lastError: { code: StatusCode.UNAUTHENTICATED, message: 'wrong issuer' } });
    await store.record({ ...base, id: 'denied', authRefused: true, lastError: { code: StatusCode.PERMISSION_DENIED, message: 'missing scope' } });
    await expect(service.replay('forged')).rejects.toMatchObject({ code: StatusCode.FAILED_PRECONDITION });
    await expect(service.replay('denied')).rejects.toMatchObject({ code: StatusCode.FAILED_PRECONDITION });
    expect((await service.get('forged')).status).toBe('dead');
    expect(t.things.seen).toHaveLength(0);

    await expect(service.replay('nope')).rejects.toMatchObject({ code: StatusCode.NOT_FOUND });
    await expect(service.get('nope')).rejects.toMatchObject({ code: StatusCode.NOT_FOUND });
    expect((await service.list()).items.map((l) => l.id)).toEqual(['denied', 'forged']);
    await expect(service.list({ limit: 0 })).rejects.toMatchObject({ code: StatusCode.INVALID_ARGUMENT });
    await service.discard('forged');
    await expect(service.discard('forged')).rejects.toMatchObject({ code: StatusCode.NOT_FOUND });
    expect((await service.list()).items.map((l) => l.id)).toEqual(['denied']);
  });

  it('refuses a replay in an app that consumes no events, and leaves the letter dead', async () => {
    const store = new MemoryDeadLetterStore('things-consumer');
    await start({ store, consume: false });
    await store.record({
      id: 'e-1', type: Thing.type, group: 'things-consumer', body: '{"n":1}', metadata: {}, deliveryCount: 3,
      lastError: { code: StatusCode.UNKNOWN, message: 'x' }, authRefused: false, firstFailedAt: 1, deadLetteredAt: 2,
    });
    await expect(service.replay('e-1')).rejects.toMatchObject({ code: StatusCode.FAILED_PRECONDITION });
    expect(await service.get('e-1')).toMatchObject({ status: 'dead', replays: 1 });
  });
});
