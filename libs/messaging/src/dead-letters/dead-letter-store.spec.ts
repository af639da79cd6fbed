import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteDatabase } from '@app/storage';
import { RpcError, StatusCode } from '@app/transport';
import { OUTBOX_MIGRATION } from '../outbox/outbox.migration';
import { deadLetterOf, NewDeadLetter } from './dead-letter';
import type { DeadLetterStore } from './dead-letter-store';
import { DEAD_LETTERS_MIGRATION } from './dead-letters.migration';
import { MemoryDeadLetterStore } from './memory-dead-letter-store';
import { pickDeadLetterStore } from './pick-dead-letter-store';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

const letter = (id: string, overrides: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
  id,
  type: 'orders.v1.OrderPlaced',
  group: 'notifications',
  body: JSON.stringify({ orderId: id }),
  metadata: { 'x-correlation-id': `corr-${id}`, 'x-caller': 'orders' },
  deliveryCount: 5,
  lastError: { code: StatusCode.UNAVAILABLE, message: 'inventory is down' },
  authRefused: false,
  publishedAt: 1_000,
  firstFailedAt: 1_100,
  deadLetteredAt: 9_000,
  ...overrides,
});

describe('deadLetterOf', () => {
  it('keeps the metadata without authorization (no token is stored) and without a replay marker', () => {
    const event = {
      id: 'e-1',
      type: 'orders.v1.OrderPlaced',
      body: '{}',
      metadata: { authorization: 'Bearer secret.token.value', 'x-replay-of': 'e-1', 'x-tenant': 'acme' },
      deliveryCount: 3,
      publishedAt: 10,
    };
    const dead = deadLetterOf(event, 'notifications', new RpcError(StatusCode.INTERNAL, 'x'.repeat(5000)), { firstFailedAt: 20, deadLetteredAt: 30 });
    expect(dead.metadata).toEqual({ 'x-tenant': 'acme' });
    expect(JSON.stringify(dead)).not.toContain('secret.token');
    expect(dead).toMatchObject({ id: 'e-1', group: 'notifications', deliveryCount: 3, publishedAt: 10, firstFailedAt: 20, deadLetteredAt: 30 });
    expect(dead.lastError.code).toBe(StatusCode.INTERNAL);
    expect(dead.lastError.message).toHaveLength(2000);
    expect(dead.authRefused).toBe(false);
    for (const code of [StatusCode.UNAUTHENTICATED, StatusCode.PERMISSION_DENIED]) {
      expect(deadLetterOf(event, 'notifications', new RpcError(code, 'refused'), { firstFailedAt: 1, deadLetteredAt: 1 }).authRefused).toBe(true);
    }
  });
});

describe.each(['sqlite', 'memory'] as const)('DeadLetterStore (%s)', (kind) => {
  let dir: string;
  let db: SqliteDatabase | undefined;
  let store: DeadLetterStore;
  const file = () => join(dir, 'notifications.sqlite');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dead-letters-'));
    if (kind === 'sqlite') {
      db = openDatabase(file(), [OUTBOX_MIGRATION, DEAD_LETTERS_MIGRATION]);
      store = new SqliteDeadLetterStore(db, 'notifications');
    } else {
      db = undefined;
      store = new MemoryDeadLetterStore('notifications');
    }
  });

  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a dead letter with everything an operator needs', async () => {
    expect(store.kind).toBe(kind);
    await store.record(letter('e-1'));
    expect(await store.get('e-1')).toEqual({ ...letter('e-1'), status: 'dead', replays: 0 });
    expect(await store.get('nope')).toBeUndefined();
  });

  it('makes an id recorded again dead again with the new attempt, keeping its first failure and its place', async () => {
    await store.record(letter('e-1'));
    await store.record(letter('e-2'));
    expect(await store.claimReplay('e-1', 10_000, 0)).toBeDefined();
    await store.record(letter('e-1', { deliveryCount: 6, firstFailedAt: 9_500, deadLetteredAt: 10_500, lastError: { code: StatusCode.INTERNAL, message: 'again' } }));
    expect(await store.get('e-1')).toMatchObject({
      status: 'dead',
      replays: 1,
      deliveryCount: 6,
      firstFailedAt: 1_100,
      deadLetteredAt: 10_500,
      lastError: { code: StatusCode.INTERNAL, message: 'again' },
    });
    expect((await store.list({ limit: 10 })).items.map((l) => l.id)).toEqual(['e-2', 'e-1']);
  });

  it('keeps a refusal by service auth once recorded, whatever a later delivery of the id did', async () => {
    await store.record(letter('e-1', { authRefused: true, lastError: { code: StatusCode.UNAUTHENTICATED, message: 'forged' } }));
    await store.record(letter('e-1'));
    expect(await store.get('e-1')).toMatchObject({ authRefused: true, lastError: { code: StatusCode.UNAVAILABLE } });
    await store.record(letter('e-2'));
    await store.record(letter('e-2', { authRefused: true }));
    expect((await store.list({ limit: 10 })).items.map((l) => [l.id, l.authRefused])).toEqual([
      ['e-2', true],
      ['e-1', true],
    ]);
  });

  it('lists newest first, without bodies, filtered by type and status, page by page', async () => {
    for (let i = 1; i <= 5; i++) await store.record(letter(`e-${i}`, { type: i % 2 ? 'orders.v1.OrderPlaced' : 'orders.v1.OrderConfirmed' }));
    const first = await store.list({ limit: 2 });
    expect(first.items.map((l) => l.id)).toEqual(['e-5', 'e-4']);
    expect(first.items[0]).not.toHaveProperty('body');
    expect(first.items[0]).not.toHaveProperty('metadata');
    const second = await store.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((l) => l.id)).toEqual(['e-3', 'e-2']);
    const last = await store.list({ limit: 2, cursor: second.nextCursor });
    expect(last.items.map((l) => l.id)).toEqual(['e-1']);
    expect(last.nextCursor).toBeUndefined();
    expect((await store.list({ limit: 3 })).nextCursor).toBeDefined();
    expect((await store.list({ limit: 5 })).nextCursor).toBeUndefined();

    expect((await store.list({ limit: 10, type: 'orders.v1.OrderConfirmed' })).items.map((l) => l.id)).toEqual(['e-4', 'e-2']);
    await store.claimReplay('e-3', 1, 0);
    await store.markReplayed('e-3', 2);
    expect((await store.list({ limit: 10, status: 'replayed' })).items.map((l) => l.id)).toEqual(['e-3']);
    expect((await store.list({ limit: 10, status: 'dead', type: 'orders.v1.OrderPlaced' })).items.map((l) => l.id)).toEqual(['e-5', 'e-1']);
    await expect(store.list({ limit: 10, cursor: 'abc' })).rejects.toMatchObject({ code: StatusCode.INVALID_ARGUMENT });
  });

  it('lets one replay claim a letter at a time, and settles it', async () => {
    await store.record(letter('e-1'));
    const claimed = await store.claimReplay('e-1', 20_000, 0);
    expect(claimed).toMatchObject({ id: 'e-1', status: 'replaying', replays: 1, replayStartedAt: 20_000, body: letter('e-1').body });
    expect(await store.claimReplay('e-1', 20_001, 0)).toBeUndefined();

    await store.releaseReplay('e-1');
    expect(await store.get('e-1')).toMatchObject({ status: 'dead', replays: 1 });

    expect(await store.claimReplay('e-1', 30_000, 0)).toMatchObject({ replays: 2 });
    await store.markReplayed('e-1', 31_000);
    expect(await store.get('e-1')).toMatchObject({ status: 'replayed', replays: 2, replayedAt: 31_000 });
    expect(await store.claimReplay('e-1', 40_000, 39_000)).toBeUndefined();
    await store.releaseReplay('e-1');
    expect((await store.get('e-1'))?.status).toBe('replayed');
    expect(await store.claimReplay('missing', 1, 0)).toBeUndefined();
  });

  it('takes over a replay claim older than the lease (its instance died mid-replay)', async () => {
    await store.record(letter('e-1'));
    await store.claimReplay('e-1', 1_000, 0);
    expect(await store.claimReplay('e-1', 2_000, 999)).toBeUndefined();
    expect(await store.claimReplay('e-1', 3_000, 1_001)).toMatchObject({ status: 'replaying', replays: 2, replayStartedAt: 3_000 });
  });

  it('discards a letter', async () => {
    await store.record(letter('e-1'));
    expect(await store.discard('e-1')).toBe(true);
    expect(await store.discard('e-1')).toBe(false);
    expect(await store.get('e-1')).toBeUndefined();
  });

  if (kind === 'sqlite') {
    it('keeps dead letters across a restart, each service group apart', async () => {
      await store.record(letter('e-1'));
      const other = new SqliteDeadLetterStore(db!, 'orders');
      await other.record(letter('e-1', { group: 'orders', type: 'payments.v1.PaymentCaptured' }));
      db!.close();
      db = openDatabase(file(), [OUTBOX_MIGRATION, DEAD_LETTERS_MIGRATION]);
      const reopened = new SqliteDeadLetterStore(db, 'notifications');
      expect(await reopened.get('e-1')).toEqual({ ...letter('e-1'), status: 'dead', replays: 0 });
      expect((await reopened.list({ limit: 10 })).items).toHaveLength(1);
      expect((await new SqliteDeadLetterStore(db, 'orders').get('e-1'))?.type).toBe('payments.v1.PaymentCaptured');
      expect(await reopened.discard('e-1')).toBe(true);
      expect(await new SqliteDeadLetterStore(db, 'orders').get('e-1')).toBeDefined();
    });
  } else {
    it('keeps at most its capacity, dropping the oldest', async () => {
      const small = new MemoryDeadLetterStore('notifications', 3);
      for (let i = 1; i <= 5; i++) await small.record(letter(`e-${i}`));
      expect((await small.list({ limit: 10 })).items.map((l) => l.id)).toEqual(['e-5', 'e-4', 'e-3']);
    });
  }
});

describe('pickDeadLetterStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dead-letters-pick-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the service database when it has the dead_letters table, memory otherwise, saying why when it has a database', () => {
    const withTable = openDatabase(join(dir, 'a.sqlite'), [DEAD_LETTERS_MIGRATION]);
    const withoutTable = openDatabase(join(dir, 'b.sqlite'), [OUTBOX_MIGRATION]);
    try {
      const sqlite = pickDeadLetterStore('a', withTable);
      expect({ kind: sqlite.store.kind, warning: sqlite.warning }).toEqual({ kind: 'sqlite', warning: undefined });
      const noDatabase = pickDeadLetterStore('b', undefined);
      expect({ kind: noDatabase.store.kind, warning: noDatabase.warning }).toEqual({ kind: 'memory', warning: undefined });
      const noTable = pickDeadLetterStore('b', withoutTable);
      expect(noTable.store.kind).toBe('memory');
      expect(noTable.warning).toContain('DEAD_LETTERS_MIGRATION');
    } finally {
      withTable.close();
      withoutTable.close();
    }
  });
});
