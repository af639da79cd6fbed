import { ClientGrpc, ClientProxyFactory, GrpcOptions, Transport } from '@nestjs/microservices';
import { join } from 'node:path';
import { lastValueFrom, Observable } from 'rxjs';
import { BenchV1, EchoRequest, EchoResponse } from '../../../contract/bench.contract';
import type { EchoClient, RpcJob, RpcStack } from '../../rpc-stack';
import { NestGrpcEchoController } from './nest-echo.controllers';
import { startNestMicroservice } from './nest-stack';

const grpcOptions = (job: RpcJob): GrpcOptions['options'] => ({
  package: 'bench.v1',
  protoPath: join(BenchV1.protoRoot, BenchV1.protoFile),
  url: job.address,
});

interface BenchGrpc {
  echo(request: EchoRequest): Observable<EchoResponse>;
}

/** Nest's stock gRPC transport (@GrpcMethod server, ClientGrpc.getService client). */
export const nestGrpc: RpcStack = {
  startServer: (job) => startNestMicroservice(NestGrpcEchoController, { transport: Transport.GRPC, options: grpcOptions(job) }),
  async connectClient(job): Promise<EchoClient> {
    const proxy = ClientProxyFactory.create({ transport: Transport.GRPC, options: grpcOptions(job) });
    const service = (proxy as unknown as ClientGrpc).getService<BenchGrpc>('Bench');
    return {
      echo: (text: string) => lastValueFrom(service.echo({ text })),
      close: async () => proxy.close(),
    };
  },
};
