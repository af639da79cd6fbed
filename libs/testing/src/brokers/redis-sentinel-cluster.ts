import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisSentinelProcess } from './redis-sentinel.process';
import { accessOptions, RedisServerProcess, replicationInfo } from './redis-server.process';
import type { CertificateFiles } from './test-certificates';

/**
 * Redis with Sentinel on loopback for tests: one master and `replicas` replicas (append-only file, fsync always, as
 * a Redis holding event streams runs), watched by `sentinels` sentinels (quorum: a majority) with short timings, so
 * a killed master is replaced by a replica in a few seconds. `env` is what the apps need to find the master
 * through the sentinels; `masterPort` asks the sentinels which server is the master now.
 */
export class RedisSentinelCluster {
  readonly name = 'sbmaster';
  readonly servers: RedisServerProcess[] = [];
  readonly sentinels: RedisSentinelProcess[] = [];

  constructor(
    private readonly options: {
      replicas?: number;
      sentinels?: number;
      downAfterMs?: number;
      /** Every server and sentinel requires it (the servers' also given to replicas and sentinels). */
      password?: string;
      /** TLS only, everywhere (replication and the sentinels' links too), with this certificate. */
      tls?: CertificateFiles;
    } = {},
  ) {}

  private get access() {
    return accessOptions({ password: this.options.password, tls: this.options.tls });
  }

  async start(): Promise<this> {
    const { replicas = 1, sentinels = 3, downAfterMs = 1000, password, tls } = this.options;
    const master = await new RedisServerProcess({ persistent: true, password, tls }).start();
    this.servers.push(master);
    for (let i = 0; i < replicas; i++) this.servers.push(await new RedisServerProcess({ persistent: true, replicaOf: master.port, password, tls }).start());
    await master.untilReplicasOnline(replicas);
    const quorum = Math.floor(sentinels / 2) + 1;
    for (let i = 0; i < sentinels; i++) {
      this.sentinels.push(await new RedisSentinelProcess({ name: this.name, masterPort: master.port, quorum, downAfterMs, password, tls }).start());
    }
    await this.untilSentinelsAgree(replicas, 20_000);
    return this;
  }

  /**
   * What the apps need: REDIS_SENTINELS and REDIS_SENTINEL_NAME; REDIS_URL only gives the scheme and the password
   * (its host and port are not used); REDIS_SENTINEL_PASSWORD with a password.
   */
  get env(): Record<string, string> {
    const { password } = this.options;
    return {
      REDIS_URL: `${this.options.tls ? 'rediss' : 'redis'}://${password ? `:${encodeURIComponent(password)}@` : ''}unused.invalid:6379`,
      REDIS_SENTINELS: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_NAME: this.name,
      ...(password ? { REDIS_SENTINEL_PASSWORD: password } : {}),
    };
  }

  /** The server on this port. */
  server(port: number): RedisServerProcess {
    const server = this.servers.find((s) => s.port === port);
    if (!server) throw new Error(`no Redis server on port ${port}`);
    return server;
  }

  /** The master's port as a majority of the running sentinels report it. */
  async masterPort(): Promise<number> {
    const ports = await Promise.all(
      this.sentinels.filter((s) => s.pid !== undefined).map(async (s) => {
        const client = new Redis({ port: s.port, host: '127.0.0.1', ...this.access, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        try {
          await client.connect();
          const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', this.name)) as [string, string];
          return Number(port);
        } catch {
          return 0;
        } finally {
          client.disconnect();
        }
      }),
    );
    const counts = new Map<number, number>();
    for (const port of ports) if (port) counts.set(port, (counts.get(port) ?? 0) + 1);
    const [best] = [...counts].sort((a, b) => b[1] - a[1]);
    if (!best || best[1] <= ports.length / 2) throw new Error(`the sentinels disagree on the master: ${ports.join(', ')}`);
    return best[0];
  }

  /** Waits until the sentinels name a master other than `formerPort` and it answers as a master. */
  async untilFailedOver(formerPort: number, withinMs = 30_000): Promise<number> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const port = await this.masterPort().catch(() => formerPort);
      if (port !== formerPort && (await replicationInfo(port, { password: this.options.password, tls: this.options.tls }).catch(() => undefined))?.get('role') === 'master') return port;
      if (Date.now() > deadline) throw new Error(`no failover from ${formerPort} within ${withinMs} ms`);
      await sleep(200);
    }
  }

  /**
   * Starts a stopped server again as a replica of the current master (as an operator's start script does, asking
   * the sentinels first), and waits until it has caught up.
   */
  async restartAsReplica(server: RedisServerProcess, withinMs = 30_000): Promise<void> {
    const master = await this.masterPort();
    server.replicaOf = master;
    await server.start();
    await this.server(master).untilReplicasOnline(this.servers.length - 1, withinMs);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((p) => p.dispose()));
  }

  /** Waits until every sentinel knows the replicas and the other sentinels (needed to agree on a failover). */
  private async untilSentinelsAgree(replicas: number, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (const sentinel of this.sentinels) {
      const client = new Redis({ port: sentinel.port, host: '127.0.0.1', ...this.access, maxRetriesPerRequest: 0 });
      try {
        for (;;) {
          const flat = (await client.call('SENTINEL', 'master', this.name)) as string[];
          const master = new Map<string, string>();
          for (let i = 0; i + 1 < flat.length; i += 2) master.set(flat[i], flat[i + 1]);
          const known = Number(master.get('num-slaves')) >= replicas && Number(master.get('num-other-sentinels')) >= this.sentinels.length - 1;
          if (known) break;
          if (Date.now() > deadline) throw new Error(`sentinel ${sentinel.port} does not know the others after ${withinMs} ms`);
          await sleep(200);
        }
      } finally {
        client.disconnect();
      }
    }
  }
}
