import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';
import type { CertificateFiles } from './test-certificates';

/** A value for a Redis configuration file, double-quoted (spaces, quotes and backslashes escaped). */
const quoted = (value: string) => JSON.stringify(value);

export interface RedisSentinelOptions {
  /** The name the master is monitored under (clients ask for it: REDIS_SENTINEL_NAME). */
  name: string;
  /** The master's loopback port when the sentinel first starts. */
  masterPort: number;
  /** Sentinels that must agree the master is down before a failover (of the sentinels running). */
  quorum: number;
  /** No answer from the master for this long: the sentinel deems it down (`down-after-milliseconds`). */
  downAfterMs?: number;
  /** `failover-timeout`: how long a failover may take before another sentinel retries it. */
  failoverTimeoutMs?: number;
  /** The servers' password (`sentinel auth-pass`), also required of the sentinel's own clients (`requirepass`). */
  password?: string;
  /** TLS only, with this certificate, client certificates from the CA required, and TLS to the servers too. */
  tls?: CertificateFiles;
}

/**
 * A Redis Sentinel (`redis-server <config> --sentinel`) on a free loopback port, monitoring one master. Sentinel
 * rewrites its configuration file as it learns the replicas, the other sentinels and failovers, so the file lives
 * in a folder of its own and survives a restart of the sentinel. The short timings make a failover take seconds.
 */
export class RedisSentinelProcess extends BrokerProcess {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sb-sentinel-'));
  private readonly configFile = join(this.dir, 'sentinel.conf');
  private written = false;

  constructor(private readonly options: RedisSentinelOptions) {
    super();
  }

  protected command() {
    if (!this.written) {
      const { name, masterPort, quorum, downAfterMs = 1000, failoverTimeoutMs = 3000, password, tls } = this.options;
      const ports = tls
        ? ['port 0', `tls-port ${this.port}`, `tls-cert-file ${tls.cert}`, `tls-key-file ${tls.key}`, `tls-ca-cert-file ${tls.ca}`, 'tls-auth-clients yes', 'tls-replication yes']
        : [`port ${this.port}`];
      writeFileSync(
        this.configFile,
        [
          ...ports,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${name} 1`,
          ...(password ? [`sentinel auth-pass ${name} ${quoted(password)}`, `requirepass ${quoted(password)}`, `sentinel sentinel-pass ${quoted(password)}`] : []),
          '',
        ].join('\n'),
      );
      this.written = true;
    }
    return { bin: process.env.REDIS_SERVER_BIN || 'redis-server', args: [this.configFile, '--sentinel'] };
  }

  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
