import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';
import type { CertificateFiles } from './test-certificates';

export interface RedisServerOptions {
  /** Keep data on disk (append-only file, fsync always). */
  persistent?: boolean;
  /** TLS only on the port, with this certificate; client certificates from the CA required. */
  tls?: CertificateFiles;
}

/**
 * redis-server on a free port. By default it keeps nothing on disk; `persistent` turns on the append-only file
 * with fsync on every write (in a temporary folder), so data survives a kill -9 and restart, as a production
 * Redis holding event streams must be configured. With `tls`, the port speaks TLS only and requires a client
 * certificate signed by the CA (`--tls-auth-clients yes`); there is no plain port.
 */
export class RedisServerProcess extends BrokerProcess {
  private readonly dataDir?: string;
  private readonly tls?: CertificateFiles;

  constructor(options: RedisServerOptions = {}) {
    super();
    if (options.persistent) this.dataDir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
    this.tls = options.tls;
  }

  protected command() {
    const persistence = this.dataDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir]
      : ['--appendonly', 'no'];
    const tls = this.tls;
    const ports = tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key]
      : ['--port', String(this.port)];
    const clients = tls ? ['--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'yes'] : [];
    return {
      bin: process.env.REDIS_SERVER_BIN || 'redis-server',
      args: [...ports, ...clients, '--bind', '127.0.0.1', '--save', '', ...persistence],
    };
  }

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
