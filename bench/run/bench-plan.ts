import { PAYLOADS, PayloadSize } from '../load/payloads';
import { RPC_TRANSPORTS, RpcTransport, STACKS, StackName } from '../rpc/rpc-stack';

export const SUITES = ['rpc', 'events', 'gateway', 'flow'] as const;
export type SuiteName = (typeof SUITES)[number];

/** What one run measures, and for how long. */
export interface BenchPlan {
  suites: readonly SuiteName[];
  transports: readonly RpcTransport[];
  stacks: readonly StackName[];
  concurrencies: readonly number[];
  payloads: readonly PayloadSize[];
  warmupMs: number;
  durationMs: number;
  /** Write V8 CPU profiles of the workers here and summarize their hottest functions. */
  cpuProfDir?: string;
  /** The order flow: orders offered per second, for how long, and over which transports. */
  flow: { ratePerSecond: number; seconds: number; transports: readonly RpcTransport[] };
  /** Minutes of the soak (leak check) instead of the suites; 0 = no soak. */
  soakMinutes: number;
  outDir: string;
  quick: boolean;
  /** Also write the table into docs/performance.md (the README links to it). */
  readme: boolean;
  /** Measure nothing: render the report (JSON, chart, table) again from this latest.json. */
  from?: string;
}

const USAGE = `usage: npm run bench -- [options]
  --quick                 short windows, c=64 and the small payload only (development)
  --transport a,b         only these transports: ${RPC_TRANSPORTS.join(', ')}
  --only a,b              only these suites (${SUITES.join(', ')}) and/or rpc stacks: ${STACKS.join(', ')}
                          (raw client, Nest's stock transport, Moleculer 0.14 on nats and tcp, Switchboard as the
                          apps start it with 1% of calls traced, and with every call traced, on nats and memory)
  --duration ms           measured window of each cell (default 3000; quick 1500)
  --warmup ms             warm-up before each window (default 1000; quick 500)
  --flow-rate n           the order flow: orders offered per second (default 300)
  --flow-seconds n        the order flow: how long they are offered (default 60; quick 10); the flow runs over
                          nats unless --transport names others
  --cpu-prof              V8 CPU profiles of the workers into <out>/profiles, with a summary of the hot path
  --soak [minutes]        leak check instead of the suites: Switchboard over one transport (default nats) at half
                          its peak rate for 5 minutes (or the given minutes); RSS and open handles over time
  --out dir               where latest.json, chart.svg and table.md go (default bench/results)
  --readme                also put the table into docs/performance.md (between the bench:table markers)
  --from file.json        measure nothing: write chart.svg and table.md (and with --readme docs/performance.md) again
                          from a latest.json`;

function list<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (!raw) throw new Error(`${flag} needs a value\n${USAGE}`);
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`${flag}: unknown "${value}" (one of ${allowed.join(', ')})`);
  }
  return values as T[];
}

function positive(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer, got "${raw}"`);
  return value;
}

/** Reads the command line; unknown flags and bad values throw with the usage. */
export function parseBenchArgs(argv: readonly string[], defaultOutDir: string): BenchPlan {
  const args = [...argv];
  let quick = false;
  let transports: RpcTransport[] | undefined;
  let only: string[] | undefined;
  let duration: number | undefined;
  let warmup: number | undefined;
  let cpuProf = false;
  let flowRate = 300;
  let flowSeconds: number | undefined;
  let soakMinutes = 0;
  let outDir = defaultOutDir;
  let readme = false;
  let from: string | undefined;
  while (args.length) {
    const flag = args.shift()!;
    if (flag === '--quick') quick = true;
    else if (flag === '--transport') transports = list(flag, args.shift(), RPC_TRANSPORTS);
    else if (flag === '--only') only = list(flag, args.shift(), [...SUITES, ...STACKS]);
    else if (flag === '--duration') duration = positive(flag, args.shift());
    else if (flag === '--warmup') warmup = positive(flag, args.shift());
    else if (flag === '--cpu-prof') cpuProf = true;
    else if (flag === '--flow-rate') flowRate = positive(flag, args.shift());
    else if (flag === '--flow-seconds') flowSeconds = positive(flag, args.shift());
    else if (flag === '--readme') readme = true;
    else if (flag === '--from') {
      from = args.shift();
      if (!from) throw new Error(`--from needs a latest.json\n${USAGE}`);
    }
    else if (flag === '--soak') soakMinutes = args[0] && /^\d+$/.test(args[0]) ? positive(flag, args.shift()) : 5;
    else if (flag === '--out') {
      const dir = args.shift();
      if (!dir) throw new Error(`--out needs a folder\n${USAGE}`);
      outDir = dir;
    } else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option "${flag}"\n${USAGE}`);
  }
  const onlySuites = only?.filter((v): v is SuiteName => (SUITES as readonly string[]).includes(v)) ?? [];
  const onlyStacks = only?.filter((v): v is StackName => (STACKS as readonly string[]).includes(v)) ?? [];
  return {
    suites: onlySuites.length ? onlySuites : SUITES,
    transports: transports ?? RPC_TRANSPORTS,
    stacks: onlyStacks.length ? onlyStacks : STACKS,
    concurrencies: quick ? [64] : [1, 64],
    payloads: quick ? ['small'] : PAYLOADS,
    warmupMs: warmup ?? (quick ? 500 : 1000),
    durationMs: duration ?? (quick ? 1500 : 3000),
    flow: { ratePerSecond: flowRate, seconds: flowSeconds ?? (quick ? 10 : 60), transports: transports ?? ['nats'] },
    cpuProfDir: cpuProf ? `${outDir}/profiles` : undefined,
    soakMinutes,
    outDir,
    quick,
    readme,
    from,
  };
}
