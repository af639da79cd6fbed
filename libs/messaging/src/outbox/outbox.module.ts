import { Module } from '@nestjs/common';
import { Outbox } from './outbox';
import { OutboxBacklogMetric } from './outbox-backlog.metric';
import { OutboxRelay } from './outbox-relay';

/** The transactional outbox and its relay (needs SqliteModule with OUTBOX_MIGRATION, and MessagingModule). */
@Module({ providers: [Outbox, OutboxRelay, OutboxBacklogMetric], exports: [Outbox, OutboxRelay] })
export class OutboxModule {}
