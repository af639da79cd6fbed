import { AuthFixture } from '@app/auth/testing/auth-fixture';
import { NatsServerProcess } from '@app/testing/brokers/nats-server.process';
import { RedisServerProcess } from '@app/testing/brokers/redis-server.process';
import { BENCH_CLIENT_SERVICE, BENCH_GRANTS, BenchV1 } from '../contract/bench.contract';
import { PRODUCTION_SAMPLER, RpcJob } from '../rpc/rpc-stack';
import { TraceSink } from './trace-sink';

/**
 * What every suite of a run shares: its own nats-server (JetStream) and redis-server on free ports (never the
 * shared ones on 4222 / 6379), a namespace unique to the run, fresh RS256 service keys, and an OTLP endpoint the
 * Switchboard processes export their spans to (tracing on), set in the OTEL_* variables the
 * workers and apps inherit, with the production sampler (1% of new traces) unless OTEL_TRACES_SAMPLER is already
 * set. The rpc suite's Switchboard workers always get their own sampler (`rpcWorkerOptions`).
 */
export class BenchEnvironment {
  readonly namespace = `bench${Date.now().toString(36)}`;
  readonly nats = new NatsServerProcess();
  readonly redis = new RedisServerProcess();
  readonly keys = new AuthFixture([BenchV1.service, BENCH_CLIENT_SERVICE]);
  readonly traces = new TraceSink();

  async start(): Promise<void> {
    await Promise.all([this.nats.start(), this.redis.start()]);
    process.env.OTEL_TRACES_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = await this.traces.start();
    if (!process.env.OTEL_TRACES_SAMPLER) Object.assign(process.env, PRODUCTION_SAMPLER);
  }

  async stop(): Promise<void> {
    await Promise.all([this.nats.dispose(), this.redis.dispose(), this.traces.stop()]);
    this.keys.stop();
    console.log(`traces: ${this.traces.requests} OTLP exports (${(this.traces.bytes / 1e6).toFixed(1)} MB) from the Switchboard processes`);
  }

  /** The broker a transport or bus uses, by pid (for CPU sampling), if it has one. */
  brokerPid(transport: string): number | undefined {
    if (transport === 'nats' || transport === 'jetstream') return this.nats.pid;
    if (transport === 'redis' || transport === 'redis-streams') return this.redis.pid;
    return undefined;
  }

  rpcJob(stack: RpcJob['stack'], transport: RpcJob['transport'], address: string): RpcJob {
    return {
      stack,
      transport,
      natsUrl: this.nats.url,
      redisUrl: this.redis.url,
      address,
      namespace: this.namespace,
      auth: { server: this.keys.options(BenchV1.service, BENCH_GRANTS), client: this.keys.options(BENCH_CLIENT_SERVICE, BENCH_GRANTS) },
    };
  }
}
