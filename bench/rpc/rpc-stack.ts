import type { ServiceAuthOptions } from '@app/auth';

export const STACKS = ['raw', 'nest', 'moleculer', 'switchboard', 'switchboard-traced'] as const;
/**
 * raw = the transport's own client library; nest = Nest's stock ClientProxy / microservice; moleculer = Moleculer
 * 0.14 with its own transporter (the peer to beat); switchboard = the apps' wiring (startService) with the
 * production sampler (1% of traces); switchboard-traced = the same with every call traced (the cost of a span).
 */
export type StackName = (typeof STACKS)[number];

export const RPC_TRANSPORTS = ['nats', 'redis', 'grpc', 'tcp', 'memory'] as const;
export type RpcTransport = (typeof RPC_TRANSPORTS)[number];

/** The production sampler the Switchboard stack runs with: parent-based, 1% of new traces. */
export const PRODUCTION_SAMPLER = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' } as const;
/** The share of calls `switchboard` traces; `switchboard-traced` traces all of them (same sampler, ratio 1). */
export const SAMPLE_RATIO: Partial<Record<StackName, number>> = { switchboard: 0.01, 'switchboard-traced': 1 };
/** Spans a traced echo makes: the client's call span and the server's handler span. */
export const SPANS_PER_TRACED_CALL = 2;

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
