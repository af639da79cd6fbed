import { PRODUCTION_SAMPLER, RpcJob, RpcStack, RpcTransport, StackName } from '../rpc-stack';

type Loader = () => Promise<RpcStack>;

const switchboard: Loader = () => import('./switchboard/switchboard.stack').then((m) => m.switchboardStack);
const everyTransport = { nats: switchboard, redis: switchboard, grpc: switchboard, tcp: switchboard, memory: switchboard };

/**
 * Which stacks exist on which transport, loaded only in the worker that runs them (a worker loads one stack and
 * nothing of the others). In-process (memory) is Switchboard's alone; Moleculer has its NATS and TCP transporters;
 * the fully traced Switchboard row (there to price a span) runs on NATS and in-process, where no broker or socket
 * blurs the figure.
 */
const STACKS: Record<StackName, Partial<Record<RpcTransport, Loader>>> = {
  raw: {
    nats: () => import('./raw/raw-nats.stack').then((m) => m.rawNats),
    redis: () => import('./raw/raw-redis.stack').then((m) => m.rawRedis),
    grpc: () => import('./raw/raw-grpc.stack').then((m) => m.rawGrpc),
    tcp: () => import('./raw/raw-tcp.stack').then((m) => m.rawTcp),
  },
  nest: {
    nats: () => import('./nest/nest-nats.stack').then((m) => m.nestNats),
    redis: () => import('./nest/nest-redis.stack').then((m) => m.nestRedis),
    grpc: () => import('./nest/nest-grpc.stack').then((m) => m.nestGrpc),
    tcp: () => import('./nest/nest-tcp.stack').then((m) => m.nestTcp),
  },
  moleculer: {
    nats: () => import('./moleculer/moleculer.stack').then((m) => m.moleculerStack),
    tcp: () => import('./moleculer/moleculer.stack').then((m) => m.moleculerStack),
  },
  switchboard: everyTransport,
  'switchboard-traced': { nats: switchboard, memory: switchboard },
};

export function hasStack(stack: StackName, transport: RpcTransport): boolean {
  return STACKS[stack][transport] !== undefined;
}

export function loadRpcStack(stack: StackName, transport: RpcTransport): Promise<RpcStack> {
  const load = STACKS[stack][transport];
  if (!load) return Promise.reject(new Error(`no ${stack} stack on ${transport}`));
  return load();
}

const isSwitchboard = (stack: StackName) => stack === 'switchboard' || stack === 'switchboard-traced';

/** How a worker of `stack` is started: its environment on top of the run's, and where its stdout goes. */
export function rpcWorkerOptions(stack: StackName): { env: NodeJS.ProcessEnv; stdout: 'inherit' | 'ignore' } {
  if (!isSwitchboard(stack)) return { env: {}, stdout: 'inherit' };
  // The apps' sampler: 1% of new traces; the traced row samples everything with the same sampler (ratio 1), so
  // the two rows differ in the number of spans only. The apps' JSON log lines (at the default level `info`) are
  // written as in production, to stdout, which is /dev/null here: the console stays readable.
  const env = stack === 'switchboard-traced' ? { ...PRODUCTION_SAMPLER, OTEL_TRACES_SAMPLER_ARG: '1' } : { ...PRODUCTION_SAMPLER };
  return { env, stdout: 'ignore' };
}

/**
 * What a worker does before it loads its stack: a Switchboard process starts the OpenTelemetry SDK first, from the
 * OTEL_* variables, as each app's `tracing.ts` does before Nest loads (the server is service `bench`, the client
 * `bench-client`; on memory one process is both, like the all-in-one `system` app).
 */
export async function prepareWorker(job: RpcJob, role: 'server' | 'client'): Promise<void> {
  if (!isSwitchboard(job.stack)) return;
  const { startTracing } = await import('@app/observability/tracing');
  startTracing(role === 'server' ? 'bench' : 'bench-client');
}
