import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { BenchV1, EchoRequest, EchoResponse } from '../../../contract/bench.contract';
import type { EchoClient, EchoServer, RpcStack } from '../../rpc-stack';
import { rawInstance } from './echo-reply';

type BenchService = grpc.ServiceClientConstructor;

/** The Bench service's client class, from bench.proto. */
export function benchService(): BenchService {
  const definition = protoLoader.loadSync(BenchV1.protoFile, { includeDirs: [BenchV1.protoRoot], keepCase: false, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { bench: { v1: { Bench: BenchService } } };
  return loaded.bench.v1.Bench;
}

/** @grpc/grpc-js unary calls on one channel, insecure, default channel options. */
export const rawGrpc: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    const server = new grpc.Server();
    const instance = rawInstance();
    server.addService(benchService().service, {
      echo: (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) =>
        callback(null, { text: call.request.text, instance }),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(job.address, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
    return { close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
  },

  async connectClient(job): Promise<EchoClient> {
    const Service = benchService();
    const client = new Service(job.address, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
    );
    const echo = (client as unknown as Record<string, Function>).echo.bind(client) as (
      request: EchoRequest,
      callback: (error: grpc.ServiceError | null, response: EchoResponse) => void,
    ) => void;
    return {
      echo: (text: string) =>
        new Promise((resolve, reject) => echo({ text }, (error, response) => (error ? reject(error) : resolve(response)))),
      async close() {
        client.close();
      },
    };
  },
};
