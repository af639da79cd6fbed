import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';

/** nats-server with JetStream, its store in a temporary folder that `dispose` removes. */
export class NatsServerProcess extends BrokerProcess {
  readonly storeDir = mkdtempSync(join(tmpdir(), 'sb-nats-'));

  protected command() {
    return {
      bin: process.env.NATS_SERVER_BIN || 'nats-server',
      args: ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
    };
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
