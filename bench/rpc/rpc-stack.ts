import type { ServiceAuthOptions } from '@app/auth';

export const STACKS = ['raw', 'nest', 'switchboard'] as const;
/** raw = the transport's own client library; nest = Nest's stock ClientProxy / microservice; switchboard = the full call path. */
export type StackName = (typeof STACKS)[number];

export const RPC_TRANSPORTS = ['nats', 'redis', 'grpc', 'tcp', 'memory'] as const;
export type RpcTransport = (typeof RPC_TRANSPORTS)[number];

/** Everything a server or client worker needs to know, passed to the child process as JSON. */
export interface RpcJob {
  stack: StackName;
  transport: RpcTransport;
  natsUrl: string;
  redisUrl: string;
  /** host:port the server listens on for grpc and tcp. */
  address: string;
  /** Unique per run: prefix of subjects, channels and keys on the bench's own brokers. */
  namespace: string;
  /** Service identity of the Switchboard server (`bench`) and client (`bench-client`), RS256 keys of the run. */
  auth: { server: ServiceAuthOptions; client: ServiceAuthOptions };
}

export interface EchoServer {
  close(): Promise<void>;
}

/** Sends `{text}` and resolves with the server's `{text, instance}`. */
export interface EchoClient {
  echo(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** One stack on one transport: how to serve bench.v1.Echo and how to call it. */
export interface RpcStack {
  startServer(job: RpcJob): Promise<EchoServer>;
  connectClient(job: RpcJob): Promise<EchoClient>;
}

/** Splits `host:port`. */
export function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}
