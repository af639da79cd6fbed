import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteDatabase } from '@app/storage';
import { Inbox } from './inbox';
import { INBOX_MIGRATION } from './inbox.migration';

const MIGRATIONS = [`CREATE TABLE effects (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL); ${INBOX_MIGRATION}`];

describe('Inbox (a real SQLite file shared by two connections)', () => {
  let dir: string;
  let first: SqliteDatabase;
  let second: SqliteDatabase;
  const effects = (db: SqliteDatabase) => (db.prepare('SELECT COUNT(*) AS n FROM effects').get() as { n: number }).n;
  const effect = (db: SqliteDatabase, eventId: string) => () => db.prepare('INSERT INTO effects (event_id) VALUES (?)').run(eventId).lastInsertRowid;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-inbox-'));
    first = openDatabase(join(dir, 'svc.sqlite'), MIGRATIONS);
    second = openDatabase(join(dir, 'svc.sqlite'), MIGRATIONS);
  });
  afterEach(() => {
    first.close();
    second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies an event once, whichever process gets it again', () => {
    const event = { eventId: 'e-1', type: 'orders.v1.OrderPlaced' };
    expect(new Inbox(first).apply('notifications', event, effect(first, 'e-1'))).toEqual({ applied: true, result: 1 });
    expect(new Inbox(first).apply('notifications', event, effect(first, 'e-1'))).toEqual({ applied: false });
    expect(new Inbox(second).apply('notifications', event, effect(second, 'e-1'))).toEqual({ applied: false });
    expect(effects(first)).toBe(1);
    expect(new Inbox(second).has('notifications', 'e-1')).toBe(true);
  });

  it('keeps consumers apart: each applies the event once', () => {
    const event = { eventId: 'e-2', type: 't' };
    const inbox = new Inbox(first);
    expect(inbox.apply('a', event, effect(first, 'e-2')).applied).toBe(true);
    expect(inbox.apply('b', event, effect(first, 'e-2')).applied).toBe(true);
    expect(inbox.apply('a', event, effect(first, 'e-2')).applied).toBe(false);
    expect(effects(first)).toBe(2);
  });

  it('keeps neither the effect nor the id when the effect fails, so a redelivery applies it', () => {
    const inbox = new Inbox(first);
    const event = { eventId: 'e-3', type: 't' };
    expect(() =>
      inbox.apply('c', event, () => {
        effect(first, 'e-3')();
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(effects(first)).toBe(0);
    expect(inbox.has('c', 'e-3')).toBe(false);
    expect(inbox.apply('c', event, effect(first, 'e-3')).applied).toBe(true);
    expect(effects(first)).toBe(1);
  });
});
