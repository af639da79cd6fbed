import { Module } from '@nestjs/common';
import { SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule } from '@app/auth';
import { DiscoveryModule } from '@app/discovery';
import { Resilience } from '@app/resilience';
import { freePort } from '@app/testing/brokers/free-port';
import { clientToken, ServiceClient, startService, SwitchboardModule, TransportConfig } from '@app/transport';
import { BENCH_CLIENT_SERVICE, BenchV1 } from '../../../contract/bench.contract';
import { EchoClient, EchoServer, hostPort, RpcJob, RpcStack } from '../../rpc-stack';
import { BenchController } from './bench.controller';

/** The transport settings an app would read from its environment, pointed at the bench's brokers. */
function transportConfig(job: RpcJob, role: string): Partial<TransportConfig> {
  return {
    transport: job.transport,
    natsUrl: job.natsUrl,
    redisUrl: job.redisUrl,
    namespace: job.namespace,
    addresses: { bench: [job.address] },
    instanceId: `switchboard-${role}-${process.pid}`,
    tls: undefined,
  };
}

/** A free port for the app's HTTP side (never the RPC port the run handed the server, not bound yet). */
async function httpPort(job: RpcJob): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port !== hostPort(job.address).port) return port;
  }
}

/**
 * Switchboard as the apps run it: each side is an app started by `startService` (apps/<app>/src/start-<app>.ts),
 * with the modules an app imports (ServiceAuthModule, DiscoveryModule in its default static mode,
 * SwitchboardModule), so it also has what startService adds: ObservabilityModule (pino logs at the default level
 * `info`, where a successful call writes no line; metrics; health), the HTTP side on a free port with its telemetry
 * middleware, and the transport's readiness watch. Tracing was started before Nest loaded
 * (`prepareWorker`, like each app's tracing.ts) from the OTEL_* variables: spans go to the run's OTLP sink with the
 * production sampler (1%), or every call for `switchboard-traced`.
 * The server serves bench.v1 from an `@Rpc` controller (service token verified, scope checked, contract
 * validation, error filter, CallContext); the client is an app that only calls others, as the gateway is
 * (`serves: []`), with the apps' client interceptors (bulkhead, retry, circuit breaker, service token).
 */
export const switchboardStack: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    @Module({
      imports: [
        ServiceAuthModule.forService({ service: BenchV1.service, config: job.auth.server }),
        DiscoveryModule.forRoot(),
        SwitchboardModule.forService({ service: BenchV1.service, config: transportConfig(job, 'server') }),
      ],
      controllers: [BenchController],
    })
    class BenchServerModule {}
    const app = await startService(BenchServerModule, { serves: [BenchV1], httpPort: await httpPort(job) });
    return { close: () => app.close() };
  },

  async connectClient(job): Promise<EchoClient> {
    @Module({
      imports: [
        ServiceAuthModule.forService({ service: BENCH_CLIENT_SERVICE, config: job.auth.client }),
        DiscoveryModule.forRoot(),
        SwitchboardModule.forService({
          service: BENCH_CLIENT_SERVICE,
          clients: [BenchV1],
          config: transportConfig(job, 'client'),
          interceptors: [new Resilience().interceptors, SERVICE_TOKEN_INTERCEPTORS],
        }),
      ],
    })
    class BenchClientModule {}
    const app = await startService(BenchClientModule, { serves: [], httpPort: await httpPort(job) });
    const bench = app.get<ServiceClient<typeof BenchV1>>(clientToken(BenchV1));
    return {
      echo: (text: string) => bench.echo({ text }),
      close: () => app.close(),
    };
  },
};
