import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventOf, EventRef } from '@app/contracts';
import { DATABASE, SqliteDatabase } from '@app/storage';
import { CallContext, propagatedMetadata, RpcError, SERVICE_NAME, StatusCode, validateMetadata, validationIssues } from '@app/transport';
import { eventTimes, PublishOptions } from '../publisher/event-publisher';
import { OutboxRelay } from './outbox-relay';

/**
 * The transactional outbox: `add` records an event in the service's own database, inside the caller's
 * transaction, so the business write and the event commit together or not at all. The OutboxRelay publishes
 * committed rows, with the row's id as the event id so the bus drops a second publish of the same row.
 */
@Injectable()
export class Outbox {
  private readonly insert;

  constructor(
    @Inject(DATABASE) db: SqliteDatabase,
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly relay: OutboxRelay,
  ) {
    this.insert = db.prepare('INSERT INTO outbox (id, type, body, metadata, created_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** Call inside `db.transaction(...)`; returns the event id. */
  add<E extends EventRef>(event: E, payload: EventOf<E>, options: PublishOptions = {}): string {
    const parsed = event.schema.safeParse(payload);
    if (!parsed.success) {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid ${event.type} event`, { issues: validationIssues(parsed.error) });
    }
    const now = Date.now();
    const metadata = { ...propagatedMetadata(this.service, CallContext.current(), options.metadata), ...eventTimes(event, now) };
    validateMetadata(metadata);
    const id = options.id ?? randomUUID();
    this.insert.run(id, event.type, JSON.stringify(parsed.data), JSON.stringify(metadata), now);
    this.relay.nudge();
    return id;
  }
}
