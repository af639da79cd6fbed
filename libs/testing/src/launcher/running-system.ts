import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../brokers/free-port';
import { NatsServerProcess } from '../brokers/nats-server.process';
import { RedisServerProcess } from '../brokers/redis-server.process';
import { AppProcess } from './app-process';

export type SystemTransport = 'memory' | 'nats' | 'redis' | 'tcp' | 'grpc';

export const SERVICES = ['orders', 'inventory', 'payments', 'notifications'] as const;
export const ALL_APPS = ['gateway', ...SERVICES] as const;
export type AppName = (typeof ALL_APPS)[number];

/**
 * The built system on one transport, as a user runs it: the five apps as separate processes (all in one `system`
 * process for memory), each on free ports, with its own broker (nats-server or redis-server) and data directory.
 * `httpUrl(app)` is each app's HTTP side (the gateway's REST, every app's /metrics and /health).
 */
export class RunningSystem {
  readonly apps: AppProcess[] = [];
  readonly env: NodeJS.ProcessEnv = {};
  private nats?: NatsServerProcess;
  private redis?: RedisServerProcess;
  private readonly dataDir: string;

  constructor(
    readonly transport: SystemTransport,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), `sb-${transport}-`));
  }

  async start(): Promise<this> {
    Object.assign(this.env, {
      TRANSPORT: this.transport,
      SWITCHBOARD_NAMESPACE: `sys-${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      DATA_DIR: this.dataDir,
      AUTH_CLIENTS: 'alice:alice-secret,bob:bob-secret',
      EVENT_RETRY_DELAY_MS: '200',
    });
    if (this.transport === 'redis') {
      this.redis = await new RedisServerProcess().start();
      this.env.REDIS_URL = this.redis.url;
    } else if (this.transport !== 'memory') {
      this.nats = await new NatsServerProcess().start();
      this.env.NATS_URL = this.nats.url;
    }
    for (const service of SERVICES) {
      this.env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      this.env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    this.env.PORT = String(await freePort());
    Object.assign(this.env, this.extraEnv);
    const names = this.transport === 'memory' ? ['system'] : ['inventory', 'payments', 'notifications', 'orders', 'gateway'];
    for (const name of names) this.apps.push(new AppProcess(name, this.env).start());
    for (const app of this.apps) await app.waitForLog(app.app === 'system' ? 'all apps up' : 'HTTP on', 60_000);
    return this;
  }

  httpUrl(app: AppName): string {
    return `http://127.0.0.1:${app === 'gateway' ? this.env.PORT : this.env[`${app.toUpperCase()}_HTTP_PORT`]}`;
  }

  /** The process an app runs in (`system` for all of them on memory). */
  process(app: AppName): AppProcess {
    const found = this.apps.find((candidate) => candidate.app === app || candidate.app === 'system');
    if (!found) throw new Error(`no process for ${app}`);
    return found;
  }

  /** A gateway access token of a configured client (alice or bob). */
  async token(client: 'alice' | 'bob' = 'alice'): Promise<string> {
    const res = await fetch(`${this.httpUrl('gateway')}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client, client_secret: `${client}-secret` }),
    });
    if (res.status !== 200) throw new Error(`token request answered ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Stops every app (SIGTERM, graceful), then the broker; returns how each app ended. */
  async stop(): Promise<string[]> {
    const endings = await Promise.all(this.apps.map((app) => app.stop()));
    await this.nats?.dispose();
    await this.redis?.dispose();
    rmSync(this.dataDir, { recursive: true, force: true });
    return endings;
  }
}
