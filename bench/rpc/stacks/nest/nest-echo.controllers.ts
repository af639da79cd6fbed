import { Controller } from '@nestjs/common';
import { GrpcMethod, MessagePattern } from '@nestjs/microservices';
import type { EchoRequest, EchoResponse } from '../../../contract/bench.contract';

const instance = `nest-${process.pid}`;

/** The object pattern Nest's broker and TCP transports route bench echo calls by. */
export const NEST_ECHO_PATTERN = { cmd: 'bench.echo' };

/** A stock Nest message handler (NATS, Redis, TCP). */
@Controller()
export class NestEchoController {
  @MessagePattern(NEST_ECHO_PATTERN)
  echo(request: EchoRequest): EchoResponse {
    return { text: request.text, instance };
  }
}

/** A stock Nest gRPC handler of bench.v1.Bench/Echo. */
@Controller()
export class NestGrpcEchoController {
  @GrpcMethod('Bench', 'Echo')
  echo(request: EchoRequest): EchoResponse {
    return { text: request.text, instance };
  }
}
