import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';

/**
 * redis-server on a free port. By default it keeps nothing on disk; `persistent` turns on the append-only file
 * with fsync on every write (in a temporary folder), so data survives a kill -9 and restart, as a production
 * Redis holding event streams must be configured.
 */
export class RedisServerProcess extends BrokerProcess {
  private readonly dataDir?: string;

  constructor(options: { persistent?: boolean } = {}) {
    super();
    if (options.persistent) this.dataDir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
  }

  protected command() {
    const persistence = this.dataDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir]
      : ['--appendonly', 'no'];
    return {
      bin: process.env.REDIS_SERVER_BIN || 'redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence],
    };
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
