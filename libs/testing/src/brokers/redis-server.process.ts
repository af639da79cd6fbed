import { BrokerProcess } from './broker-process';

/** redis-server keeping nothing on disk. */
export class RedisServerProcess extends BrokerProcess {
  protected command() {
    return {
      bin: process.env.REDIS_SERVER_BIN || 'redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    };
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
