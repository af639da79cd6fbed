import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess, freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';

/** The apps' TRANSPORT; tcp and grpc carry their events on NATS JetStream (the default bus beside them). */
export type BusTransport = 'memory' | 'nats' | 'redis' | 'tcp' | 'grpc';
export const SERVICES = ['inventory', 'payments', 'notifications', 'orders', 'gateway'] as const;
export type Service = (typeof SERVICES)[number];

export const ADMIN_TOKEN = 'consistency-test-admin-token-0123456789';
const CLIENTS = ['alice', 'poison'] as const;
export type Client = (typeof CLIENTS)[number];

/** The reconciliation report of orders' `/admin/reconciliation` (see ReconciliationService). */
export interface Reconciliation {
  orders: { total: number; PENDING: number; CONFIRMED: number; REJECTED: number };
  stuck: { orderId: string; sagaState?: string; lastError?: string }[];
  missing: number;
  duplicated: number;
  unexpected: number;
  findings: { orderId: string; kind: string; effect: string; detail: string }[];
  stock?: { sku: string; reserved: number; heldByOrders: number; ok: boolean }[];
  ok: boolean;
}

export interface PlacedOrders {
  /** Idempotency-Key -> the order id the gateway answered with. */
  orders: Map<string, string>;
  /** Requests answered with a status to retry (5xx, 409 in flight), by status. */
  retried: Record<number, number>;
}

/**
 * The five apps as separate processes (one `system` process for memory) over a broker of their own, driven over
 * HTTP as a client would, with the faults the consistency tests need: kill -9 and restart of an app or the broker.
 * Brokers keep their data across a restart (JetStream file store, Redis append-only file with fsync always).
 */
export class OrderSystem {
  readonly env: NodeJS.ProcessEnv;
  private readonly apps = new Map<string, AppProcess>();
  private readonly appEnv = new Map<string, NodeJS.ProcessEnv>();
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'sb-consistency-'));
  private readonly tokens = new Map<Client, string>();
  nats?: NatsServerProcess;
  redis?: RedisServerProcess;
  private gateway = '';

  constructor(
    readonly transport: BusTransport,
    env: NodeJS.ProcessEnv = {},
    /** Extra settings per app (e.g. a fault for one service only). */
    perApp: Partial<Record<Service | 'system', NodeJS.ProcessEnv>> = {},
  ) {
    this.env = {
      TRANSPORT: transport,
      SWITCHBOARD_NAMESPACE: `consistency-${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      DATA_DIR: this.dataDir,
      AUTH_CLIENTS: CLIENTS.map((c) => `${c}:${c}-secret`).join(','),
      ADMIN_TOKEN,
      RPC_TIMEOUT_MS: '2000',
      EVENT_RETRY_DELAY_MS: '200',
      EVENT_MAX_DELIVERIES: '3',
      SAGA_RETRY_MAX_DELAY_MS: '1000',
      ...env,
    };
    for (const [app, extra] of Object.entries(perApp)) this.appEnv.set(app, extra ?? {});
  }

  get appNames(): string[] {
    return this.transport === 'memory' ? ['system'] : [...SERVICES];
  }

  async start(): Promise<void> {
    // A NATS_URL, REDIS_URL or REDIS_SENTINELS given in `env` is a broker the test runs itself (a cluster, Redis
    // with Sentinel): no broker of our own then.
    if (this.transport === 'redis' && !this.env.REDIS_URL && !this.env.REDIS_SENTINELS) {
      this.redis = await new RedisServerProcess({ persistent: true }).start();
      this.env.REDIS_URL = this.redis.url;
    } else if (this.transport !== 'memory' && !this.env.NATS_URL) {
      this.nats = await new NatsServerProcess().start();
      this.env.NATS_URL = this.nats.url;
    }
    for (const service of SERVICES.filter((s) => s !== 'gateway')) {
      this.env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      this.env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    this.env.PORT = String(await freePort());
    this.gateway = `http://127.0.0.1:${this.env.PORT}`;
    for (const name of this.appNames) this.launch(name);
    for (const name of this.appNames) await this.ready(name);
  }

  /** Stops every app (SIGTERM) and the broker; resolves with how each app ended. */
  async stop(): Promise<Record<string, string>> {
    const endings: Record<string, string> = {};
    for (const [name, app] of this.apps) endings[name] = await app.stop();
    await this.nats?.dispose();
    await this.redis?.dispose();
    rmSync(this.dataDir, { recursive: true, force: true });
    return endings;
  }

  /** An app's SQLite file (read it with better-sqlite3 to see what a crash left behind). */
  databaseFile(app: Exclude<Service, 'gateway'>): string {
    return join(this.dataDir, `${app}.sqlite`);
  }

  /** Resolves once the app's process has ended (a crash point, a kill); how it ended. */
  async exited(name: string, withinMs = 30_000): Promise<string> {
    const app = this.app(name);
    const deadline = Date.now() + withinMs;
    while (app.running && Date.now() < deadline) await sleep(20);
    if (app.running) throw new Error(`${name} is still running after ${withinMs} ms`);
    return app.ending;
  }

  app(name: string): AppProcess {
    const app = this.apps.get(name);
    if (!app) throw new Error(`${name} is not running`);
    return app;
  }

  /** kill -9 of an app, waiting until it is gone. */
  kill(name: string): Promise<void> {
    return this.app(name).kill('SIGKILL');
  }

  /** Starts an app again (same data, ports and settings, `extra` on top), and waits until it serves. */
  async restart(name: string, extra: NodeJS.ProcessEnv = {}): Promise<void> {
    this.appEnv.set(name, { ...this.appEnv.get(name), ...extra });
    for (const [key, value] of Object.entries(extra)) if (value === undefined) delete this.appEnv.get(name)![key];
    this.launch(name);
    await this.ready(name);
  }

  /** kill -9 of the broker, `downMs` without it, then the same broker (same port, same data) again. */
  async restartBroker(downMs: number): Promise<void> {
    const broker = this.nats ?? this.redis;
    if (!broker) throw new Error('memory has no broker');
    await broker.stop('SIGKILL');
    await sleep(downMs);
    await broker.start();
  }

  http(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.gateway}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  }

  /** An app's own HTTP side (admin endpoints). */
  admin(service: Exclude<Service, 'gateway'>, path: string, init: RequestInit = {}): Promise<Response> {
    const port = this.env[`${service.toUpperCase()}_HTTP_PORT`];
    return fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(60_000),
    });
  }

  async token(client: Client): Promise<string> {
    const cached = this.tokens.get(client);
    if (cached) return cached;
    const res = await this.http('/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client, client_secret: `${client}-secret` }),
    });
    if (res.status !== 200) throw new Error(`token for ${client}: ${res.status} ${await res.text()}`);
    const { access_token } = (await res.json()) as { access_token: string };
    this.tokens.set(client, access_token);
    return access_token;
  }

  /** One POST /v1/orders with an Idempotency-Key; the status and the parsed body. */
  async placeOrder(client: Client, key: string, body: unknown): Promise<{ status: number; body: { id?: string; status?: string } }> {
    try {
      const res = await this.http('/v1/orders', {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token(client)}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as { id?: string } };
    } catch {
      return { status: 599, body: {} }; // the gateway itself unreachable or too slow: retry like a 5xx
    }
  }

  /**
   * Places `count` orders, `concurrency` at a time, each with its own Idempotency-Key, the way a careful client
   * does: a 5xx or a 409 (the key still in flight) is retried with the same key until accepted (within
   * `withinMs`). Anything else is a failure of the test.
   */
  async placeMany(
    count: number,
    options: { prefix: string; concurrency: number; body: (i: number) => unknown; client?: Client; withinMs?: number; onAccepted?: (n: number) => void },
  ): Promise<PlacedOrders> {
    const placed: PlacedOrders = { orders: new Map(), retried: {} };
    const until = Date.now() + (options.withinMs ?? 120_000);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const key = `${options.prefix}-${i}`;
        for (;;) {
          const { status, body } = await this.placeOrder(options.client ?? 'alice', key, options.body(i));
          if ((status === 202 || status === 200 || status === 201) && body.id) {
            placed.orders.set(key, body.id);
            options.onAccepted?.(placed.orders.size);
            break;
          }
          if (status < 500 && status !== 409) throw new Error(`order ${key}: unexpected ${status} ${JSON.stringify(body)}`);
          placed.retried[status] = (placed.retried[status] ?? 0) + 1;
          if (Date.now() > until) throw new Error(`order ${key} not accepted in time (last status ${status})`);
          await sleep(100 + Math.random() * 200);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return placed;
  }

  async reconcile(graceMs = 30_000): Promise<Reconciliation> {
    const res = await this.admin('orders', `/admin/reconciliation?graceMs=${graceMs}`);
    if (res.status !== 200) throw new Error(`reconciliation: ${res.status} ${await res.text()}`);
    return (await res.json()) as Reconciliation;
  }

  /**
   * Polls the reconciliation until every order is final and nothing is missing, duplicated or unexpected (or
   * `until` says the report is the one awaited, or time runs out); resolves with the last report and how long it took.
   */
  async reconciled(withinMs: number, until: (report: Reconciliation) => boolean = (r) => r.ok): Promise<{ report: Reconciliation; ms: number }> {
    const started = Date.now();
    for (;;) {
      let report: Reconciliation | undefined;
      try {
        report = await this.reconcile(0);
      } catch (error) {
        if (Date.now() - started > withinMs) throw error;
      }
      if (report && (until(report) || Date.now() - started > withinMs)) return { report, ms: Date.now() - started };
      await sleep(500);
    }
  }

  private launch(name: string): void {
    this.apps.set(name, new AppProcess(name, { ...this.env, ...this.appEnv.get(name) }, 200_000).start());
  }

  private async ready(name: string): Promise<void> {
    const app = this.app(name);
    await app.waitForLog(name === 'system' ? 'all apps up' : 'HTTP on', 90_000);
  }
}

/** One line per scenario for the note: the order counts, the retries and the reconciliation figures. */
export function figures(label: string, placed: PlacedOrders | undefined, result: { report: Reconciliation; ms: number }): string {
  const { report } = result;
  const retried = placed ? Object.entries(placed.retried).map(([status, n]) => `${n}x${status}`).join(' ') || 'none' : '-';
  return (
    `[${label}] ${report.orders.total} orders (${report.orders.CONFIRMED} CONFIRMED, ${report.orders.REJECTED} REJECTED, ` +
    `${report.orders.PENDING} PENDING); requests retried: ${retried}; reconciled ${result.ms} ms after the last order: ` +
    `${report.missing} missing, ${report.duplicated} duplicated, ${report.unexpected} unexpected, ${report.stuck.length} stuck, ` +
    `stock ${report.stock?.every((s) => s.ok) ? 'exact' : 'MISMATCH'}`
  );
}
