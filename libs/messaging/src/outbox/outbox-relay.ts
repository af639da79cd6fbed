import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DATABASE, SqliteDatabase } from '@app/storage';
import { crashPoint } from '@app/transport';
import type { EventBus } from '../bus/event-bus';
import { EVENT_BUS } from '../nest/tokens';

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  body: string;
  metadata: string;
}

const POLL_MS = 250;
const BATCH = 100;
const KEEP_SENT_MS = 24 * 3600_000;
/** Sent rows are pruned at most this often (the prune scans the table). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Publishes committed outbox rows and marks them sent. It runs after each commit (nudge) and on a timer, so rows
 * left by a crash between commit and publish go out on the next start: at least once, and once in effect because
 * the event id is the row id. A batch of rows is published at once, in row order on one connection (pipelined),
 * their acks awaited together and the acked rows marked sent in one transaction; a row whose publish failed stays
 * unsent for the next run (the bus promises no order between events, only at-least-once). When the bus is down it
 * retries with backoff and logs (throttled).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('outbox');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastWarning = 0;
  private lastPrune = 0;
  private readonly unsent;
  private readonly markSent;
  private readonly prune;

  constructor(
    @Inject(DATABASE) private readonly db: SqliteDatabase,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {
    this.unsent = db.prepare<[number], OutboxRow>(
      'SELECT seq, id, type, body, metadata FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?',
    );
    const markOne = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ?');
    this.markSent = db.transaction((rows: readonly OutboxRow[], sentAt: number) => {
      for (const row of rows) markOne.run(sentAt, row.seq);
    });
    this.prune = db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Publish soon: called after a row was added (it runs once the caller's transaction has committed). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** The number of rows not yet published. */
  backlog(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      const backoff = this.failures === 0 ? POLL_MS : Math.min(5000, 100 * 2 ** this.failures);
      this.schedule(this.again && this.failures === 0 ? 0 : backoff);
      this.again = false;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const rows = this.unsent.all(BATCH);
        if (rows.length > 0) crashPoint('outbox.before-publish');
        const outcomes = await Promise.allSettled(
          rows.map((row) => this.bus.publish({ id: row.id, type: row.type, body: row.body, metadata: JSON.parse(row.metadata) })),
        );
        this.markSent(
          rows.filter((_, i) => outcomes[i].status === 'fulfilled'),
          Date.now(),
        );
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (failed) throw failed.reason;
        if (rows.length < BATCH) break;
      }
      this.failures = 0;
      if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        this.prune.run(this.lastPrune - KEEP_SENT_MS);
      }
    } catch (error) {
      this.failures++;
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.log.warn(`cannot publish to ${this.bus.name} (${this.backlog()} events waiting): ${(error as Error).message}`);
      }
    }
  }
}
