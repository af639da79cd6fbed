import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { InventoryV1 } from '@app/contracts';
import { createRegistry, InstanceRecord, loadDiscoveryConfig, ServiceRegistry } from '@app/discovery';
import {
  createDriver,
  GrpcDriver,
  loadTransportConfig,
  ServiceClient,
  StatusCode,
  TcpDriver,
  TransportDriver,
} from '@app/transport';
import { AppProcess, CallRecord, freePort, NatsServerProcess, RedisServerProcess, runLoad, summarize } from '@app/testing';
import { resilientInventoryClient } from './support/resilient-inventory-client';

/**
 * Scale-out with real processes on every transport: three inventory instances registered in the service registry
 * (NATS KV or Redis), a client with the resilience policies (tcp/grpc: balancing over the registry's instances;
 * nats/redis: the broker balances). Reports how calls spread over the instances; kills one with -9 under load
 * (pass: no call fails beyond what the retry policy can save, none hangs); starts a fourth under load (pass: it
 * gets calls within a few seconds). Each instance reports the calls it handled with its heartbeats.
 */
type Transport = 'nats' | 'redis' | 'tcp' | 'grpc';
/** Where each transport's instances register (tcp and grpc cover one registry each). */
const REGISTRY: Record<Transport, 'nats' | 'redis'> = { nats: 'nats', redis: 'redis', tcp: 'redis', grpc: 'nats' };
const DEADLINE_MS = 800;
const LATE_MS = 150;
const TTL_MS = 2000;
const HEARTBEAT_MS = 400;
const CONCURRENCY = 8;

class ScaleOut {
  readonly env: NodeJS.ProcessEnv = {};
  readonly instances: AppProcess[] = [];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'sb-scale-'));
  private readonly brokers: (NatsServerProcess | RedisServerProcess)[] = [];
  registry!: ServiceRegistry;
  driver!: TransportDriver;
  inventory!: ServiceClient<typeof InventoryV1>;

  constructor(readonly transport: Transport) {}

  async start(): Promise<void> {
    Object.assign(this.env, {
      TRANSPORT: this.transport,
      SWITCHBOARD_NAMESPACE: `scale-${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      RPC_TIMEOUT_MS: String(DEADLINE_MS),
      DISCOVERY: REGISTRY[this.transport],
      DISCOVERY_TTL_MS: String(TTL_MS),
      DISCOVERY_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    // The event bus needs NATS unless the transport is redis; the registry needs its own backend.
    if (this.transport !== 'redis') this.env.NATS_URL = (await this.broker(new NatsServerProcess())).url;
    if (this.transport === 'redis' || REGISTRY[this.transport] === 'redis') this.env.REDIS_URL = (await this.broker(new RedisServerProcess())).url;
    const started = await Promise.all([0, 1, 2].map((i) => this.startInstance(i)));
    await Promise.all(started.map((app) => app.waitForLog('HTTP on', 60_000)));

    Logger.overrideLogger(['error']);
    const transportConfig = loadTransportConfig(this.env);
    this.registry = createRegistry(loadDiscoveryConfig(this.env), transportConfig);
    this.driver = createDriver(transportConfig, this.registry);
    this.inventory = resilientInventoryClient(this.driver, DEADLINE_MS);
    await this.until(async () => (await this.registry.list('inventory')).length === 3, 10_000, 'three instances registered');
    await this.until(() => this.inventory.getStock({ sku: 'SKU-APPLE' }).then(() => true), 10_000, 'a first call answered');
  }

  async startInstance(index: number): Promise<AppProcess> {
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      INSTANCE_ID: `inventory-${index}`,
      INVENTORY_HTTP_PORT: String(await freePort()),
      DATA_DIR: join(this.dataDir, String(index)),
    };
    if (this.transport === 'tcp' || this.transport === 'grpc') env.RPC_LISTEN = `127.0.0.1:${await freePort()}`;
    const app = new AppProcess('inventory', env).start();
    this.instances[index] = app;
    return app;
  }

  /** The registry's view: calls handled so far by each live instance, by instance id. */
  async handled(): Promise<Map<string, InstanceRecord>> {
    return new Map((await this.registry.list('inventory')).map((record) => [record.instanceId, record]));
  }

  /** Calls the client sent to each instance (tcp/grpc: the balancer's own count), by address. */
  clientSent(): Map<string, number> {
    const driver = this.driver;
    const balanced = driver instanceof TcpDriver || driver instanceof GrpcDriver ? driver.balanced('inventory') : [];
    return new Map(balanced.map((entry) => [entry.address, entry.sent]));
  }

  async until(probe: () => Promise<boolean> | boolean, withinMs: number, what: string): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (await Promise.resolve(probe()).catch(() => false)) return Date.now() - started;
      if (Date.now() - started > withinMs) throw new Error(`[${this.transport}] not within ${withinMs} ms: ${what}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await this.driver?.close();
    await this.registry?.close();
    await Promise.all(this.instances.map((app) => app.stop(5000)));
    for (const broker of this.brokers) await broker.dispose();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async broker<B extends NatsServerProcess | RedisServerProcess>(broker: B): Promise<B> {
    this.brokers.push(broker);
    await broker.start();
    return broker;
  }
}

const getStock = (s: ScaleOut) => () => s.inventory.getStock({ sku: 'SKU-APPLE' });
const failures = (records: readonly CallRecord[]) => records.filter((r) => !r.ok);
const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

describe.each<Transport>(['nats', 'redis', 'tcp', 'grpc'])('scale-out on %s', (transport) => {
  let s: ScaleOut;
  beforeAll(async () => {
    s = new ScaleOut(transport);
    await s.start();
  });
  afterAll(() => s.stop());

  it('spreads calls over three instances', async () => {
    await sleep(2 * HEARTBEAT_MS); // every call made so far reported
    const before = await s.handled();
    const sentBefore = s.clientSent();
    const records = await runLoad({ calls: 600, concurrency: CONCURRENCY }, getStock(s));
    expect(failures(records)).toEqual([]);
    await sleep(2 * HEARTBEAT_MS);
    const after = await s.handled();
    const spread = [...after.values()].map((r) => [r.instanceId, r.handled - (before.get(r.instanceId)?.handled ?? 0)] as const);
    const total = spread.reduce((sum, [, n]) => sum + n, 0);
    const line = spread.map(([id, n]) => `${id} ${n} (${percent(n, total)})`).join(', ');
    const sent = [...s.clientSent()].map(([address, n]) => `${address} ${n - (sentBefore.get(address) ?? 0)}`).join(', ');
    console.log(`[${transport}] spread of ${records.length} calls over 3 instances: ${line}${sent ? `; client balancer sent: ${sent}` : ''}`);
    expect(total).toBe(records.length);
    expect(spread).toHaveLength(3);
    // tcp/grpc: our balancer spreads evenly. nats/redis: the broker hands each call to whichever instance is
    // free (Redis instances pop requests in batches), so every instance works but shares may differ.
    const floor = transport === 'tcp' || transport === 'grpc' ? records.length * 0.15 : 0;
    for (const [, n] of spread) expect(n).toBeGreaterThan(floor);
  });

  it('kill -9 of one instance under load: no call fails beyond the retry policy, none hangs; it leaves the registry within the TTL', async () => {
    const running = runLoad({ calls: 5000, concurrency: CONCURRENCY, durationMs: 2500, pauseMs: 5 }, getStock(s));
    await sleep(800);
    const killedAt = Date.now();
    s.instances[0].signal('SIGKILL');
    const leftAfterMs = await s.until(async () => !(await s.handled()).has('inventory-0'), TTL_MS + 2 * HEARTBEAT_MS + 1000, 'the killed instance gone from the registry');
    const records = await running;
    const failed = failures(records);
    const byCode = failed.map((r) => StatusCode[r.code ?? StatusCode.UNKNOWN]).join(', ') || 'none';
    console.log(`${summarize(`[${transport}] kill -9 of 1 of 3`, records)}; failed calls: ${byCode}; the killed instance left the registry ${leftAfterMs} ms after the kill (TTL ${TTL_MS} ms)`);
    const slowest = Math.max(...records.map((r) => r.settledAt - r.startedAt));
    expect(slowest).toBeLessThanOrEqual(DEADLINE_MS + LATE_MS);
    if (transport === 'tcp' || transport === 'grpc') {
      // The calls on the lost connection fail with UNAVAILABLE, which the retry policy resends to a live instance.
      expect(failed).toEqual([]);
    } else {
      // The broker handed the killed instance some calls it never answered: at most the calls in flight, which
      // time out (DEADLINE_EXCEEDED leaves no time to retry within the same deadline).
      expect(failed.length).toBeLessThanOrEqual(CONCURRENCY);
      expect(failed.every((r) => r.code === StatusCode.DEADLINE_EXCEEDED)).toBe(true);
    }
    const afterKill = records.filter((r) => r.startedAt > killedAt + DEADLINE_MS);
    expect(afterKill.length).toBeGreaterThan(50);
    expect(failures(afterKill)).toEqual([]);
  });

  it('a new instance joins under load and gets calls within a few seconds', async () => {
    const stop = new AbortController();
    let joinedAt = Infinity;
    const running = runLoad({ calls: 20_000, concurrency: CONCURRENCY, durationMs: 20_000, pauseMs: 5, signal: stop.signal }, getStock(s));
    try {
      const joining = await s.startInstance(3);
      await joining.waitForLog('HTTP on', 60_000);
      const readyAt = Date.now();
      joinedAt = readyAt;
      const firstCallsMs = await s.until(async () => ((await s.handled()).get('inventory-3')?.handled ?? 0) > 0, 5000, 'the new instance handled calls');
      await sleep(1000);
      const shareBefore = await s.handled();
      await sleep(1000);
      const shareAfter = await s.handled();
      const share = [...shareAfter.values()].map((r) => `${r.instanceId} ${r.handled - (shareBefore.get(r.instanceId)?.handled ?? 0)}`).join(', ');
      console.log(`[${transport}] join: the new instance handled calls ${firstCallsMs} ms after it was ready (heartbeat ${HEARTBEAT_MS} ms); calls in the next second: ${share}`);
      expect(firstCallsMs).toBeLessThan(5000);
      expect(shareAfter.get('inventory-3')!.handled).toBeGreaterThan(shareBefore.get('inventory-3')!.handled);
    } finally {
      stop.abort();
    }
    const records = await running;
    const failed = failures(records);
    console.log(`${summarize(`[${transport}] load during the join`, records)}; failed calls: ${failed.map((r) => StatusCode[r.code!]).join(', ') || 'none'}`);
    // Starting a process takes a second of CPU on this 2-core machine, and a new process answers its first calls
    // slowly (slow start sends it few): a handful of calls around its start may time out, none after.
    expect(failed.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(failed.every((r) => r.code === StatusCode.DEADLINE_EXCEEDED)).toBe(true);
    expect(failed.filter((r) => r.startedAt > joinedAt + 2000)).toEqual([]);
  });

  it('SIGTERM of an instance under load: it leaves the registry at once, not after the TTL, and callers see no error', async () => {
    const running = runLoad({ calls: 5000, concurrency: CONCURRENCY, durationMs: 2000, pauseMs: 5 }, getStock(s));
    await sleep(500);
    const stopping = s.instances[3].stop(10_000);
    const goneMs = await s.until(async () => !(await s.handled()).has('inventory-3'), TTL_MS, 'the stopping instance gone from the registry');
    const records = await running;
    expect(await stopping).toBe('graceful');
    console.log(`${summarize(`[${transport}] SIGTERM of 1 of 3`, records)}; it left the registry ${goneMs} ms after the signal (TTL ${TTL_MS} ms)`);
    expect(goneMs).toBeLessThan(TTL_MS / 2);
    expect(failures(records)).toEqual([]);
  });
});
