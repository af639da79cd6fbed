import type { SqliteDatabase } from '@app/storage';
import type { Metadata, StatusCode } from '@app/transport';
import {
  cursorAfter,
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterStatus,
  DeadLetterSummary,
  NewDeadLetter,
  parseCursor,
} from './dead-letter';
import type { DeadLetterStore } from './dead-letter-store';

interface Row {
  seq: number;
  event_id: string;
  type: string;
  group_name: string;
  body?: string;
  metadata?: string;
  delivery_count: number;
  error_code: number;
  error_message: string;
  auth_refused: number;
  published_at: number | null;
  first_failed_at: number;
  dead_lettered_at: number;
  status: DeadLetterStatus;
  replays: number;
  replay_started_at: number | null;
  replayed_at: number | null;
}

const SUMMARY = `seq, event_id, type, group_name, delivery_count, error_code, error_message, auth_refused, published_at, first_failed_at,
  dead_lettered_at, status, replays, replay_started_at, replayed_at`;

/** Dead letters in the service's own SQLite database (DEAD_LETTERS_MIGRATION), shared by its instances. */
export class SqliteDeadLetterStore implements DeadLetterStore {
  readonly kind = 'sqlite' as const;
  private readonly upsert;
  private readonly byId;
  private readonly page;
  private readonly claim;
  private readonly release;
  private readonly replayed;
  private readonly remove;

  /** True when the database has the table of DEAD_LETTERS_MIGRATION. */
  static available(db: SqliteDatabase): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'").get() !== undefined;
  }

  constructor(
    db: SqliteDatabase,
    private readonly group: string,
  ) {
    this.upsert = db.prepare(`
      INSERT INTO dead_letters (group_name, event_id, type, body, metadata, delivery_count, error_code, error_message,
        auth_refused, published_at, first_failed_at, dead_lettered_at)
      VALUES (@group, @id, @type, @body, @metadata, @deliveryCount, @errorCode, @errorMessage, @authRefused, @publishedAt,
        @firstFailedAt, @deadLetteredAt)
      ON CONFLICT (group_name, event_id) DO UPDATE SET
        type = excluded.type, body = excluded.body, metadata = excluded.metadata,
        delivery_count = excluded.delivery_count, error_code = excluded.error_code, error_message = excluded.error_message,
        auth_refused = MAX(auth_refused, excluded.auth_refused),
        published_at = excluded.published_at, first_failed_at = MIN(first_failed_at, excluded.first_failed_at),
        dead_lettered_at = excluded.dead_lettered_at, status = 'dead'`);
    this.byId = db.prepare<[string, string], Row>('SELECT * FROM dead_letters WHERE group_name = ? AND event_id = ?');
    this.page = db.prepare<{ group: string; type: string | null; status: string | null; before: number | null; limit: number }, Row>(`
      SELECT ${SUMMARY} FROM dead_letters
      WHERE group_name = @group AND (@type IS NULL OR type = @type) AND (@status IS NULL OR status = @status)
        AND (@before IS NULL OR seq < @before)
      ORDER BY seq DESC LIMIT @limit`);
    this.claim = db.prepare<{ group: string; id: string; at: number; staleBefore: number }, Row>(`
      UPDATE dead_letters SET status = 'replaying', replays = replays + 1, replay_started_at = @at
      WHERE group_name = @group AND event_id = @id
        AND (status = 'dead' OR (status = 'replaying' AND replay_started_at < @staleBefore))
      RETURNING *`);
    this.release = db.prepare("UPDATE dead_letters SET status = 'dead' WHERE group_name = ? AND event_id = ? AND status = 'replaying'");
    this.replayed = db.prepare("UPDATE dead_letters SET status = 'replayed', replayed_at = ? WHERE group_name = ? AND event_id = ?");
    this.remove = db.prepare('DELETE FROM dead_letters WHERE group_name = ? AND event_id = ?');
  }

  async record(letter: NewDeadLetter): Promise<void> {
    this.upsert.run({
      group: this.group,
      id: letter.id,
      type: letter.type,
      body: letter.body,
      metadata: JSON.stringify(letter.metadata),
      deliveryCount: letter.deliveryCount,
      errorCode: letter.lastError.code,
      errorMessage: letter.lastError.message,
      authRefused: letter.authRefused ? 1 : 0,
      publishedAt: letter.publishedAt ?? null,
      firstFailedAt: letter.firstFailedAt,
      deadLetteredAt: letter.deadLetteredAt,
    });
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const row = this.byId.get(this.group, id);
    return row && full(row);
  }

  async list(query: DeadLetterQuery): Promise<DeadLetterPage> {
    const rows = this.page.all({
      group: this.group,
      type: query.type ?? null,
      status: query.status ?? null,
      before: parseCursor(query.cursor) ?? null,
      limit: query.limit + 1,
    });
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    return { items: items.map(summary), nextCursor: more ? cursorAfter(items[items.length - 1].seq) : undefined };
  }

  async claimReplay(id: string, at: number, staleBefore: number): Promise<DeadLetter | undefined> {
    const row = this.claim.get({ group: this.group, id, at, staleBefore });
    return row && full(row);
  }

  async releaseReplay(id: string): Promise<void> {
    this.release.run(this.group, id);
  }

  async markReplayed(id: string, at: number): Promise<void> {
    this.replayed.run(at, this.group, id);
  }

  async discard(id: string): Promise<boolean> {
    return this.remove.run(this.group, id).changes > 0;
  }
}

function summary(row: Row): DeadLetterSummary {
  return {
    id: row.event_id,
    type: row.type,
    group: row.group_name,
    deliveryCount: row.delivery_count,
    lastError: { code: row.error_code as StatusCode, message: row.error_message },
    authRefused: row.auth_refused === 1,
    publishedAt: row.published_at ?? undefined,
    firstFailedAt: row.first_failed_at,
    deadLetteredAt: row.dead_lettered_at,
    status: row.status,
    replays: row.replays,
    replayStartedAt: row.replay_started_at ?? undefined,
    replayedAt: row.replayed_at ?? undefined,
  };
}

function full(row: Row): DeadLetter {
  return { ...summary(row), body: row.body ?? '', metadata: JSON.parse(row.metadata ?? '{}') as Metadata };
}
