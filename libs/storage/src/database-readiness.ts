import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessChecks } from '@app/observability';
import type { SqliteDatabase } from './open-database';
import { DATABASE } from './database.token';

/** Adds "the database answers" to the app's `/health/ready` (when the app has ObservabilityModule). */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: SqliteDatabase,
    @Optional() private readonly checks?: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    const probe = this.db.prepare('SELECT 1 AS ok');
    this.checks?.add('database', () => {
      if (!this.db.open) throw new Error('the database is closed');
      probe.get();
      return { file: this.db.name };
    });
  }
}
