import { sampleCpu } from '../measure/proc-stats';
import { cpuFigures, Measurement } from '../report/measurement';
import type { Log } from '../rpc/rpc-suite';
import { describe } from '../rpc/rpc-suite';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { WorkerProcess } from '../workers/worker-process';
import { BenchBus, EventJob } from './event-stack';

const BUS_OF: Record<string, BenchBus> = { nats: 'jetstream', redis: 'redis-streams' };
/** The consumer's setting, the same for every publisher concurrency (a service's EVENT_CONCURRENCY, not its callers'). */
const CONSUMER_CONCURRENCY = 64;

/**
 * Durable events: publish -> consume -> ack, the raw broker client against Switchboard's EventBus, on JetStream
 * (with --transport nats) and Redis Streams (redis). A publisher and a consumer process per cell; throughput is
 * what the consumer handled in the window, latency from publish to consume.
 */
export async function runEventSuite(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  let serial = 0;
  for (const transport of plan.transports) {
    const bus = BUS_OF[transport];
    if (!bus) continue;
    for (const stack of ['raw', 'switchboard'] as const) {
      if (!plan.stacks.includes(stack)) continue;
      for (const concurrency of plan.concurrencies) {
        const payload = 'small';
        const job: EventJob = { stack, bus, natsUrl: env.nats.url, redisUrl: env.redis.url, namespace: `${env.namespace}e${++serial}`, concurrency: CONSUMER_CONCURRENCY };
        const profile = (role: string) => ({ cpuProfDir: plan.cpuProfDir, profileName: `events-${stack}-${bus}-${role}` });
        const consumer = new WorkerProcess('event-consumer.worker.ts', job, profile('consumer'));
        let publisher: WorkerProcess | undefined;
        try {
          await consumer.next('ready');
          publisher = new WorkerProcess('event-publisher.worker.ts', job, profile('publisher'));
          await publisher.next('ready');
          const pids: Record<string, number> = { publisher: publisher.pid, consumer: consumer.pid, broker: env.brokerPid(bus)! };
          const label = `c${concurrency}-${payload}`;
          let before: Record<string, number> = {};
          let after: Record<string, number> = {};
          const consumed = consumer.next('result', plan.warmupMs + plan.durationMs + 60_000);
          consumed.catch(() => undefined);
          const published = await publisher.run(
            { type: 'run', label, payload, load: { concurrency, warmupMs: plan.warmupMs, durationMs: plan.durationMs } },
            (edge) => {
              consumer.send({ type: 'window', edge, label });
              if (edge === 'start') before = sampleCpu(pids);
              else after = sampleCpu(pids);
            },
          );
          const result = (await consumed).result;
          const m: Measurement = {
            suite: 'events',
            stack,
            transport: bus,
            concurrency,
            payload,
            throughput: (1000 * result.completed) / result.elapsedMs,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            completed: result.completed,
            errors: published.errors,
            firstError: published.firstError,
            windowMs: result.elapsedMs,
            ...cpuFigures(before, after, result.elapsedMs, result.completed),
          };
          log(`${describe(m)} (published ${Math.round((1000 * published.completed) / published.elapsedMs)}/s)`);
          measurements.push(m);
        } catch (error) {
          log(`events ${stack}/${bus} c=${concurrency}: FAILED ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          await publisher?.close();
          await consumer.close();
        }
      }
    }
  }
  return measurements;
}
