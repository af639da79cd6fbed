import type { RpcStack, RpcTransport, StackName } from '../rpc-stack';
import { nestGrpc } from './nest/nest-grpc.stack';
import { nestNats } from './nest/nest-nats.stack';
import { nestRedis } from './nest/nest-redis.stack';
import { nestTcp } from './nest/nest-tcp.stack';
import { rawGrpc } from './raw/raw-grpc.stack';
import { rawNats } from './raw/raw-nats.stack';
import { rawRedis } from './raw/raw-redis.stack';
import { rawTcp } from './raw/raw-tcp.stack';
import { switchboardStack } from './switchboard/switchboard.stack';

/** Which stacks exist on which transport: in-process (memory) is Switchboard's alone. */
const STACKS: Record<StackName, Partial<Record<RpcTransport, RpcStack>>> = {
  raw: { nats: rawNats, redis: rawRedis, grpc: rawGrpc, tcp: rawTcp },
  nest: { nats: nestNats, redis: nestRedis, grpc: nestGrpc, tcp: nestTcp },
  switchboard: { nats: switchboardStack, redis: switchboardStack, grpc: switchboardStack, tcp: switchboardStack, memory: switchboardStack },
};

export function hasStack(stack: StackName, transport: RpcTransport): boolean {
  return STACKS[stack][transport] !== undefined;
}

export function rpcStack(stack: StackName, transport: RpcTransport): RpcStack {
  const found = STACKS[stack][transport];
  if (!found) throw new Error(`no ${stack} stack on ${transport}`);
  return found;
}
