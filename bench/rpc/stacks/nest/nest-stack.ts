import { Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientOptions, ClientProxy, ClientProxyFactory, MicroserviceOptions } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { EchoClient, EchoServer, RpcJob, RpcStack } from '../../rpc-stack';
import { NEST_ECHO_PATTERN, NestEchoController } from './nest-echo.controllers';

/** The stock options of one Nest transport, for its microservice and its ClientProxy. */
export interface NestTransportOptions {
  server(job: RpcJob): MicroserviceOptions;
  client(job: RpcJob): ClientOptions;
}

/** Starts a stock Nest microservice with `controller` on the transport. */
export async function startNestMicroservice(controller: Type<unknown>, options: MicroserviceOptions): Promise<EchoServer> {
  @Module({ controllers: [controller] })
  class NestEchoModule {}
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestEchoModule, { ...options, logger: ['error'] });
  await app.listen();
  return { close: () => app.close() };
}

/** Nest's stock microservice and ClientProxy (`send(pattern, data)`) over a broker or TCP transport. */
export function nestStack(options: NestTransportOptions): RpcStack {
  return {
    startServer: (job) => startNestMicroservice(NestEchoController, options.server(job)),
    async connectClient(job): Promise<EchoClient> {
      const client = ClientProxyFactory.create(options.client(job)) as ClientProxy;
      await client.connect();
      return {
        echo: (text: string) => lastValueFrom(client.send(NEST_ECHO_PATTERN, { text })),
        close: async () => client.close(),
      };
    },
  };
}
