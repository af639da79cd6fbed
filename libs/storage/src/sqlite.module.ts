import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { openDatabase, SqliteDatabase } from './open-database';
import { DatabaseReadiness } from './database-readiness';
import { DATABASE } from './database.token';

export { DATABASE };

/** `DATA_DIR` (default `./data`): where each service keeps `<service>.sqlite`. */
export function databaseFile(service: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DATA_DIR || 'data', `${service}.sqlite`);
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: SqliteDatabase) {}

  onApplicationShutdown(): void {
    if (this.db.open) this.db.close();
  }
}

/** A service's own SQLite database, migrated at start, closed at shutdown: inject it with `@Inject(DATABASE)`. */
@Module({})
export class SqliteModule {
  static forService(options: { service: string; migrations: readonly string[]; file?: string }): DynamicModule {
    return {
      module: SqliteModule,
      global: true,
      providers: [
        { provide: DATABASE, useFactory: () => openDatabase(options.file ?? databaseFile(options.service), options.migrations) },
        DatabaseLifecycle,
        DatabaseReadiness,
      ],
      exports: [DATABASE],
    };
  }
}
