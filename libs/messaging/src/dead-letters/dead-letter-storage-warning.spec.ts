import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteModule } from '@app/storage';
import { OUTBOX_MIGRATION } from '../outbox/outbox.migration';
import { DEAD_LETTERS_MIGRATION } from './dead-letters.migration';
import { DeadLetterService } from './dead-letter.service';
import { startThingsApp, ThingsApp } from './testing/dead-letter-test-app';

/** The warning about volatile dead letters belongs to apps that consume events, and only to them. */
describe('the volatile dead-letter warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dead-letters-warning-'));
  const apps: ThingsApp[] = [];
  let warn: jest.SpyInstance;

  beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    warn.mockRestore();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const warnings = () => warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('dead letters are kept in memory only'));
  const database = (name: string, migrations: string[]) => SqliteModule.forService({ service: name, migrations, file: join(dir, `${name}.sqlite`) });

  it('is logged once by a consuming app whose database has no dead_letters table', async () => {
    apps.push(await startThingsApp({ imports: [database('consumer-no-table', [OUTBOX_MIGRATION])] }));
    expect(warnings()).toEqual([expect.stringContaining('DEAD_LETTERS_MIGRATION')]);
    expect(apps[0].app.get(DeadLetterService).storage).toBe('memory');
  });

  it('is not logged by an app that only publishes, although its database has no dead_letters table', async () => {
    apps.push(await startThingsApp({ consume: false, imports: [database('publisher-no-table', [OUTBOX_MIGRATION])] }));
    expect(warnings()).toEqual([]);
  });

  it('is not logged by a consuming app that keeps its dead letters in its database', async () => {
    apps.push(await startThingsApp({ imports: [database('consumer-table', [OUTBOX_MIGRATION, DEAD_LETTERS_MIGRATION])] }));
    expect(warnings()).toEqual([]);
    expect(apps[0].app.get(DeadLetterService).storage).toBe('sqlite');
  });
});
