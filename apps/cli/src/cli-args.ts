import { parseArgs } from 'node:util';
import { usageError } from './cli-error';

export const HELP = `Switchboard operator CLI

Usage: npm run cli -- <command> [options]

Commands:
  call <method> [-d JSON]     call a contract method over TRANSPORT, like grpcurl; prints the response
      -d, --data JSON|@FILE|-  the request body (default {}); @file.json reads a file, - reads stdin
      --as SERVICE             the service identity to call as (default gateway; its token and scopes)
      --timeout MS             the call's deadline (default RPC_TIMEOUT_MS)
      -m, --metadata KEY=VALUE extra call metadata (repeatable)
  methods                      lists every contract method
  events tail [--type T,...] [--limit N]
                               prints events as they are published (JSON lines; read-only: takes nothing
                               from the services); Ctrl-C stops
  health [APP...]             asks /health/ready of every app (or the ones named); exit 1 if one is not ready
  dead-letters list --app APP [--type T] [--status S] [--limit N] [--cursor C]
  dead-letters show|replay|discard --app APP ID
                               an app's dead letters over its admin endpoint (ADMIN_TOKEN)

Options:
  --json                       machine-readable output (health)
  -h, --help                   this help

Settings come from the same variables as the apps: TRANSPORT, NATS_URL, REDIS_URL, <SERVICE>_ADDR, TLS_*,
SERVICE_KEY_FILE / SERVICE_JWKS_FILE (or the development secret), PORT and <APP>_HTTP_PORT (or <APP>_URL),
ADMIN_TOKEN. Apps: gateway, orders, inventory, payments, notifications.

Examples:
  TRANSPORT=nats npm run cli -- call orders.v1.GetOrder -d '{"id":"<order id>","customerId":"demo"}'
  TRANSPORT=grpc npm run cli -- call inventory.v1.GetStock --as orders -d '{"sku":"SKU-MUG"}'
  npm run cli -- health
  TRANSPORT=redis npm run cli -- events tail --type orders.v1.OrderPlaced,orders.v1.OrderConfirmed
  npm run cli -- dead-letters list --app notifications --type orders.v1.OrderPlaced
`;

export interface CliArgs {
  command?: string;
  positionals: string[];
  data?: string;
  as: string;
  timeoutMs?: number;
  metadata: Record<string, string>;
  app?: string;
  type?: string;
  status?: string;
  limit?: string;
  cursor?: string;
  json: boolean;
  help: boolean;
}

/** Parses the command line; a malformed one is a usage error (exit 2) naming what is wrong. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', short: 'd' },
        as: { type: 'string', default: 'gateway' },
        timeout: { type: 'string' },
        metadata: { type: 'string', short: 'm', multiple: true },
        app: { type: 'string' },
        type: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) throw usageError(`--timeout must be 1..3600000 ms; got "${values.timeout}"`);
  }
  const metadata: Record<string, string> = {};
  for (const entry of values.metadata ?? []) {
    const at = entry.indexOf('=');
    if (at < 1) throw usageError(`--metadata takes KEY=VALUE; got "${entry}"`);
    metadata[entry.slice(0, at).toLowerCase()] = entry.slice(at + 1);
  }
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    data: values.data,
    as: values.as ?? 'gateway',
    timeoutMs,
    metadata,
    app: values.app,
    type: values.type,
    status: values.status,
    limit: values.limit,
    cursor: values.cursor,
    json: values.json ?? false,
    help: values.help ?? false,
  };
}
