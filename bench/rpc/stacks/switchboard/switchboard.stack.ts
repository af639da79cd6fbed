import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule } from '@app/auth';
import { startTracing } from '@app/observability/tracing';
import { Resilience } from '@app/resilience';
import {
  clientToken,
  ServiceClient,
  SwitchboardModule,
  connectSwitchboardServer,
  TransportConfig,
} from '@app/transport';
import { BENCH_CLIENT_SERVICE, BenchV1 } from '../../../contract/bench.contract';
import type { EchoClient, EchoServer, RpcJob, RpcStack } from '../../rpc-stack';
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

/**
 * Switchboard's full call path, wired the way the apps wire it, with tracing on (spans exported to the run's OTLP
 * endpoint, default sampler) and metrics recorded: the server is a Nest app with SwitchboardModule,
 * ServiceAuthModule (service token verified, scope checked) and SwitchboardServer (contract validation, error
 * filter, CallContext); the client is a typed client from SwitchboardModule with the apps' interceptor chain
 * (bulkhead, retry, circuit breaker, service token) and the call metadata (correlation id, deadline, caller).
 */
export const switchboardStack: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    startTracing('bench-server');
    @Module({
      imports: [
        ServiceAuthModule.forService({ service: BenchV1.service, config: job.auth.server }),
        SwitchboardModule.forService({ service: BenchV1.service, config: transportConfig(job, 'server') }),
      ],
      controllers: [BenchController],
    })
    class BenchServerModule {}
    const app = await NestFactory.create(BenchServerModule, { logger: ['error'] });
    connectSwitchboardServer(app, [BenchV1]);
    await app.startAllMicroservices();
    await app.init();
    return { close: () => app.close() };
  },

  async connectClient(job): Promise<EchoClient> {
    startTracing('bench-client');
    @Module({
      imports: [
        ServiceAuthModule.forService({ service: BENCH_CLIENT_SERVICE, config: job.auth.client }),
        SwitchboardModule.forService({
          service: BENCH_CLIENT_SERVICE,
          clients: [BenchV1],
          config: transportConfig(job, 'client'),
          interceptors: [new Resilience().interceptors, SERVICE_TOKEN_INTERCEPTORS],
        }),
      ],
    })
    class BenchClientModule {}
    const context = await NestFactory.createApplicationContext(BenchClientModule, { logger: ['error'] });
    await context.init();
    const bench = context.get<ServiceClient<typeof BenchV1>>(clientToken(BenchV1));
    return {
      echo: (text: string) => bench.echo({ text }),
      close: () => context.close(),
    };
  },
};
