import { Module } from '@nestjs/common';
import { Inbox } from './inbox';

/** The idempotent-consumer inbox (needs SqliteModule with INBOX_MIGRATION). */
@Module({ providers: [Inbox], exports: [Inbox] })
export class InboxModule {}
