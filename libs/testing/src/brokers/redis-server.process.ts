import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerProcess } from './broker-process';
import type { CertificateFiles } from './test-certificates';

export interface RedisServerOptions {
  /** Keep data on disk (append-only file, fsync always). */
  persistent?: boolean;
  /** TLS only on the port, with this certificate; client certificates from the CA required. */
  tls?: CertificateFiles;
  /** Start as a replica of the Redis on this loopback port (`--replicaof 127.0.0.1 <port>`). */
  replicaOf?: number;
  /** Require this password (`requirepass`), and give it to the master when replicating (`masterauth`). */
  password?: string;
}

/**
 * redis-server on a free port. By default it keeps nothing on disk; `persistent` turns on the append-only file
 * with fsync on every write (in a temporary folder), so data survives a kill -9 and restart, as a production
 * Redis holding event streams must be configured. With `tls`, the port speaks TLS only and requires a client
 * certificate signed by the CA (`--tls-auth-clients yes`); there is no plain port. With `replicaOf`, it starts as a
 * replica of that master (asynchronous replication, as Redis always is).
 */
export class RedisServerProcess extends BrokerProcess {
  private readonly dataDir?: string;
  private readonly tls?: CertificateFiles;
  private readonly password?: string;
  /** The master this server replicates when it (re)starts; undefined: it starts as a master. */
  replicaOf?: number;

  constructor(options: RedisServerOptions = {}) {
    super();
    if (options.persistent) this.dataDir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
    this.tls = options.tls;
    this.replicaOf = options.replicaOf;
    this.password = options.password;
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
    const replica = this.replicaOf ? ['--replicaof', '127.0.0.1', String(this.replicaOf), ...(tls ? ['--tls-replication', 'yes'] : [])] : [];
    const auth = this.password ? ['--requirepass', this.password, '--masterauth', this.password] : [];
    return {
      bin: process.env.REDIS_SERVER_BIN || 'redis-server',
      args: [...ports, ...clients, '--bind', '127.0.0.1', '--save', '', ...persistence, ...replica, ...auth],
    };
  }

  get url(): string {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `${this.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  /** Waits until this server, a master, has `count` replicas online (their initial sync done). */
  async untilReplicasOnline(count: number, withinMs = 15_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const info = await replicationInfo(this.port, { password: this.password, tls: this.tls }).catch(() => new Map<string, string>());
      const online = [...info].filter(([k, v]) => /^slave\d+$/.test(k) && v.includes('state=online')).length;
      if (online >= count) return;
      if (Date.now() > deadline) throw new Error(`Redis ${this.port} has ${online} of ${count} replicas online after ${withinMs} ms`);
      await sleep(100);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** How a test's own client gets into a Redis (or a sentinel) of the harness: its password, its TLS files. */
export interface RedisAccess {
  password?: string;
  tls?: CertificateFiles;
}

/** ioredis options for `access`. */
export function accessOptions(access: RedisAccess = {}): { password?: string; tls?: { ca: Buffer; cert: Buffer; key: Buffer } } {
  const { password, tls } = access;
  return {
    ...(password ? { password } : {}),
    ...(tls ? { tls: { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) } } : {}),
  };
}

/** `INFO replication` of the Redis on a loopback port, as field -> value. */
export async function replicationInfo(port: number, access: RedisAccess = {}): Promise<Map<string, string>> {
  const redis = new Redis({ port, host: '127.0.0.1', ...accessOptions(access), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    const info = await redis.info('replication');
    return new Map(info.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string]));
  } finally {
    redis.disconnect();
  }
}
