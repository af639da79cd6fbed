import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '@app/testing/launcher/app-process';
import { freePort } from '@app/testing/brokers/free-port';
import type { BenchEnvironment } from '../run/bench-environment';

const SERVICES = ['inventory', 'payments', 'notifications', 'orders'];
export const GATEWAY_CLIENT = { id: 'bench', secret: 'bench-secret' };

/**
 * The built system as a user runs it: five app processes (one, `system`, on memory) on the run's brokers, each
 * service on its own free ports, its SQLite data in a temporary folder. Builds the apps first if dist/ lacks them.
 */
export class GatewaySystem {
  readonly apps: AppProcess[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-data-'));
  url = '';

  /** The gateway's inspector (`--inspect`), when it is to be profiled. */
  inspectorUrl?: string;

  constructor(
    private readonly env: BenchEnvironment,
    readonly transport: string,
    /** Start the gateway (or the all-in-one app) with its inspector open, for a CPU profile of it. */
    private readonly inspect = false,
    /** Every app writes a V8 CPU profile of its whole life into this folder when it stops (`--cpu-prof`). */
    private readonly cpuProfDir?: string,
  ) {}

  async start(): Promise<void> {
    const names = this.transport === 'memory' ? ['system'] : [...SERVICES, 'gateway'];
    if (names.some((name) => !existsSync(AppProcess.builtPath(name)))) {
      execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-all.js')], { stdio: 'inherit' });
    }
    const vars: NodeJS.ProcessEnv = {
      TRANSPORT: this.transport,
      SWITCHBOARD_NAMESPACE: `${this.env.namespace}g${this.transport}`,
      NATS_URL: this.env.nats.url,
      REDIS_URL: this.env.redis.url,
      NODE_ENV: 'test',
      DATA_DIR: this.dataDir,
      AUTH_CLIENTS: `${GATEWAY_CLIENT.id}:${GATEWAY_CLIENT.secret}`,
      // One client from one address at thousands of requests a second: every request is still counted (in Redis
      // on the brokered transports), but the default limits (6,000 a minute per client) would refuse most of them.
      RATE_LIMIT_PER_CLIENT: String(100_000_000),
      RATE_LIMIT_PER_IP: String(100_000_000),
    };
    for (const service of SERVICES) {
      vars[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      vars[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    vars.PORT = String(await freePort());
    this.url = `http://127.0.0.1:${vars.PORT}`;
    let gatewayVars = vars;
    if (this.inspect) {
      const port = await freePort();
      this.inspectorUrl = `http://127.0.0.1:${port}`;
      gatewayVars = { ...vars, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${port}`.trim() };
    }
    const nodeArgs = this.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${this.cpuProfDir}`] : [];
    for (const name of names) {
      this.apps.push(new AppProcess(name, name === names[names.length - 1] ? gatewayVars : vars, undefined, nodeArgs).start());
    }
    for (const app of this.apps) await app.waitForLog(app.app === 'system' ? 'all apps up' : 'HTTP on', 120_000);
  }

  /** Each app's process id, by app name. */
  pids(): Record<string, number> {
    return Object.fromEntries(this.apps.map((app) => [app.app, app.pid!]));
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
