import { Logger } from '@nestjs/common';
import { headerMetadata, loadTransportConfig, Metadata, MetadataKey, NatsConnectionManager, openConnection, ThrottledLog, whenReady } from '@app/transport';
import { InventoryEventsV1, OrdersEventsV1, PaymentsEventsV1 } from '@app/contracts';
import { loadEventBusConfig } from '@app/messaging';
import { JetStreamNames } from '@app/messaging/jetstream/jetstream-names';
import { streamKey } from '@app/messaging/redis-streams/redis-streams-keys';
import { usageError } from '../cli-error';
import { Spinner } from '../spinner';

/** Every event type the contracts declare. */
export const EVENT_TYPES: string[] = [OrdersEventsV1, InventoryEventsV1, PaymentsEventsV1].flatMap((events) => Object.values(events).map((e) => e.type));

/** One event as `events tail` prints it (one JSON line each); tokens are never printed. */
export interface TailedEvent {
  type: string;
  id: string;
  at: string;
  correlationId?: string;
  traceparent?: string;
  metadata: Metadata;
  body: unknown;
}

export interface TailOptions {
  types: string[];
  /** Stop after this many events (default: until Ctrl-C). */
  limit?: number;
  onEvent(event: TailedEvent): void;
  /** Resolves when the tail should stop (Ctrl-C). */
  stop: Promise<void>;
}

function tailed(type: string, id: string, atMs: number, metadata: Metadata, body: string): TailedEvent {
  const shown = { ...metadata };
  delete shown[MetadataKey.authorization];
  let parsed: unknown = body;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Shown as it is.
  }
  return {
    type,
    id,
    at: new Date(atMs).toISOString(),
    correlationId: shown[MetadataKey.correlationId],
    traceparent: shown[MetadataKey.traceparent],
    metadata: shown,
    body: parsed,
  };
}

/**
 * Prints the events published from now on, read-only: on NATS a plain subscription to the namespace's event
 * subjects (JetStream stores them, consumers are not touched); on Redis `XREAD` of the event streams (no consumer
 * group). Nothing is acked or created, so tailing never takes an event from a service.
 */
export async function tailEvents(options: TailOptions): Promise<number> {
  const unknown = options.types.filter((type) => !EVENT_TYPES.includes(type));
  if (unknown.length > 0) throw usageError(`unknown event type ${unknown.join(', ')}; types: ${EVENT_TYPES.join(', ')}`);
  const transport = loadTransportConfig(process.env, {}, 'cli');
  const config = loadEventBusConfig(transport, process.env);
  if (config.bus === 'memory') throw usageError('the memory event bus lives inside the system process: set TRANSPORT (or EVENT_BUS) as the apps run');
  const spinner = new Spinner().start(`waiting for events on ${config.bus} (namespace ${config.namespace}); Ctrl-C stops`);
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  void options.stop.then(finish);
  const deliver = (event: TailedEvent) => {
    if (options.limit !== undefined && seen >= options.limit) return;
    spinner.stop();
    options.onEvent(event);
    seen++;
    if (options.limit !== undefined && seen >= options.limit) finish();
    else spinner.start(`${seen} events; waiting for more (Ctrl-C stops)`);
  };
  try {
    if (config.bus === 'nats') await tailNats(config, options.types, deliver, done);
    else await tailRedis(config, options.types, deliver, done);
  } finally {
    spinner.stop();
  }
  return seen;
}

async function tailNats(
  config: ReturnType<typeof loadEventBusConfig>,
  types: string[],
  deliver: (event: TailedEvent) => void,
  done: Promise<void>,
): Promise<void> {
  const connection = new NatsConnectionManager({ natsUrl: config.natsUrl, instanceId: `${config.instanceId}:cli-tail`, tls: config.tls }, 'cli');
  const nc = await Promise.race([connection.connected(), done.then(() => undefined)]);
  if (!nc) return void (await connection.close());
  const wanted = new Set(types);
  const subscription = nc.subscribe(JetStreamNames.allSubjects(config.namespace), {
    callback: (error, msg) => {
      if (error) return;
      const type = JetStreamNames.typeOf(config.namespace, msg.subject);
      const id = msg.headers?.get('Nats-Msg-Id');
      if (!type || !id || !wanted.has(type)) return;
      const metadata = Object.fromEntries(Object.entries(headerMetadata(msg.headers)).filter(([key]) => !key.startsWith('nats-')));
      deliver(tailed(type, id, Date.now(), metadata, new TextDecoder().decode(msg.data)));
    },
  });
  await nc.flush();
  await done;
  subscription.unsubscribe();
  await connection.close();
}

async function tailRedis(
  config: ReturnType<typeof loadEventBusConfig>,
  types: string[],
  deliver: (event: TailedEvent) => void,
  done: Promise<void>,
): Promise<void> {
  const redis = openConnection({ url: config.redisUrl, tls: config.tls, sentinel: config.redisSentinel }, 'requests', `${config.namespace}:cli-tail`, new ThrottledLog(new Logger('cli')));
  try {
    await readRedis(redis, config.namespace, types, deliver, done);
  } finally {
    redis.disconnect();
  }
}

async function readRedis(
  redis: ReturnType<typeof openConnection>,
  namespace: string,
  types: string[],
  deliver: (event: TailedEvent) => void,
  done: Promise<void>,
): Promise<void> {
  const stopping = new AbortController();
  void done.then(() => stopping.abort());
  try {
    await whenReady(redis, { abort: stopping.signal });
  } catch {
    return; // Stopped before Redis could be reached.
  }
  const keys = types.map((type) => streamKey(namespace, type));
  // Start after each stream's newest entry (`0-0` for a stream not made yet), so no entry falls between two reads.
  const last: string[] = [];
  for (const key of keys) {
    const newest = (await redis.call('XREVRANGE', key, '+', '-', 'COUNT', '1')) as [string, string[]][];
    last.push(newest[0]?.[0] ?? '0-0');
  }
  let stopped = false;
  void done.then(() => {
    stopped = true;
    redis.disconnect();
  });
  while (!stopped) {
    await whenReady(redis, { abort: stopping.signal }).catch(() => undefined);
    if (stopped) break;
    let reply: [string, [string, string[]][]][] | null;
    try {
      reply = (await redis.call('XREAD', 'BLOCK', '1000', 'STREAMS', ...keys, ...last)) as typeof reply;
    } catch (error) {
      if (stopped) break;
      if (redis.status !== 'ready') continue; // Lost the connection: wait for it again.
      throw error;
    }
    for (const [key, entries] of reply ?? []) {
      const index = keys.indexOf(key);
      for (const [entryId, flat] of entries) {
        last[index] = entryId;
        const fields = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
        let metadata: Metadata = {};
        try {
          metadata = JSON.parse(fields.get('md') ?? '{}') as Metadata;
        } catch {
          // Shown without metadata.
        }
        deliver(tailed(types[index], fields.get('id') ?? entryId, Number(entryId.split('-')[0]), metadata, fields.get('body') ?? ''));
      }
    }
  }
}
