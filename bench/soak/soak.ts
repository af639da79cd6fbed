import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@app/testing/brokers/free-port';
import type { Log } from '../rpc/rpc-suite';
import type { RpcTransport } from '../rpc/rpc-stack';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { rpcWorkerOptions } from '../rpc/stacks/registry';
import { WorkerProcess } from '../workers/worker-process';
import { SoakSample, soakVerdict } from './soak-verdict';

const SAMPLE_EVERY_MS = 10_000;

/**
 * The leak check (`--soak [minutes]`): Switchboard's full call path over one transport (the first of
 * --transport, else nats), first at full speed for a few seconds to find the peak, then paced at half of it for
 * the soak's length, sampling RSS and open handles of server and client every 10 s. Writes <out>/soak.json.
 */
export async function runSoak(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<void> {
  const transport: RpcTransport = plan.transports.length === 1 ? plan.transports[0] : 'nats';
  if (transport === 'memory') throw new Error('--soak needs a network transport (server and client in separate processes)');
  const job = env.rpcJob('switchboard', transport, `127.0.0.1:${await freePort()}`);
  const server = new WorkerProcess('rpc-server.worker.ts', job, rpcWorkerOptions('switchboard'));
  let client: WorkerProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    await server.next('ready');
    client = new WorkerProcess('rpc-client.worker.ts', job, rpcWorkerOptions('switchboard'));
    await client.next('ready');
    const peak = await client.run({ type: 'run', label: 'peak', payload: 'small', load: { concurrency: 64, warmupMs: 2000, durationMs: 5000 } }, () => undefined);
    const peakRate = (1000 * peak.completed) / peak.elapsedMs;
    const rate = Math.max(1, Math.round(peakRate / 2));
    const durationMs = plan.soakMinutes * 60_000;
    log(`soak: switchboard/${transport}, peak ${Math.round(peakRate)}/s, now ${rate}/s for ${plan.soakMinutes} min`);

    const samples: SoakSample[] = [];
    const started = Date.now();
    sampler = setInterval(async () => {
      try {
        const [s, c] = await Promise.all([server.sample(), client!.sample()]);
        const sample = { atS: Math.round((Date.now() - started) / 1000), serverRssMiB: s.rssMiB, clientRssMiB: c.rssMiB, serverHandles: s.handles, clientHandles: c.handles };
        samples.push(sample);
        log(`soak ${sample.atS}s: server ${s.rssMiB.toFixed(1)} MiB ${s.handles} handles, client ${c.rssMiB.toFixed(1)} MiB ${c.handles} handles`);
      } catch (error) {
        log(`soak: no sample (${error instanceof Error ? error.message : String(error)})`);
      }
    }, SAMPLE_EVERY_MS);
    const result = await client.run(
      { type: 'run', label: 'soak', payload: 'small', load: { concurrency: 64, warmupMs: 1000, durationMs, ratePerSecond: rate } },
      () => undefined,
    );
    clearInterval(sampler);
    const verdict = soakVerdict(samples);
    const report = { date: new Date(started).toISOString(), transport, peakRate, rate, minutes: plan.soakMinutes, result, verdict, samples };
    mkdirSync(plan.outDir, { recursive: true });
    writeFileSync(join(plan.outDir, 'soak.json'), JSON.stringify(report, null, 2) + '\n');
    log(
      `soak done: ${Math.round((1000 * result.completed) / result.elapsedMs)}/s, ${result.errors} errors; server RSS ` +
        `${verdict.serverRssGrowthPercent.toFixed(1)}%, client RSS ${verdict.clientRssGrowthPercent.toFixed(1)}%, handles ` +
        `server ${verdict.serverHandleGrowth >= 0 ? '+' : ''}${verdict.serverHandleGrowth}, client ${verdict.clientHandleGrowth >= 0 ? '+' : ''}${verdict.clientHandleGrowth}: ` +
        `${verdict.leakFree ? 'no leak seen' : 'GROWTH BEYOND THE LIMITS'} (wrote ${join(plan.outDir, 'soak.json')})`,
    );
  } finally {
    clearInterval(sampler);
    await client?.close();
    await server.close();
  }
}
