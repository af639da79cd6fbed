import { Logger, LoggerService } from '@nestjs/common';
import { loadTransportConfig, Metadata, MetadataKey } from '@app/transport';
import { InventoryEventsV1, OrdersEventsV1, PaymentsEventsV1 } from '@app/contracts';
import { createEventBus, DeliveredEvent, loadEventBusConfig } from '@app/messaging';
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

/** The bus's warnings and errors (a lost connection, say) go to stderr; its info lines nowhere. */
const STDERR_LOGGER: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => void process.stderr.write(`warning: ${String(message)}\n`),
  error: (message: unknown) => void process.stderr.write(`error: ${String(message)}\n`),
};

function tailed({ type, id, publishedAt, metadata, body }: DeliveredEvent): TailedEvent {
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
    at: new Date(publishedAt ?? Date.now()).toISOString(),
    correlationId: shown[MetadataKey.correlationId],
    traceparent: shown[MetadataKey.traceparent],
    metadata: shown,
    body: parsed,
  };
}

/**
 * Prints the events published from now on, read-only, with the event bus's tap (EventBus.tap): on NATS an ephemeral
 * JetStream consumer deleted when the tail stops, on Redis `XREAD` of the event streams (no consumer group). Nothing
 * is acked, and no group is touched, so tailing never takes an event from a service and leaves nothing behind; a
 * broker restart meanwhile loses nothing the broker kept (the tap resumes after the last event printed).
 */
export async function tailEvents(options: TailOptions): Promise<number> {
  const unknown = options.types.filter((type) => !EVENT_TYPES.includes(type));
  if (unknown.length > 0) throw usageError(`unknown event type ${unknown.join(', ')}; types: ${EVENT_TYPES.join(', ')}`);
  const transport = loadTransportConfig(process.env, {}, 'cli');
  const config = loadEventBusConfig(transport, process.env, { instanceId: `${transport.instanceId}:cli-tail` });
  if (config.bus === 'memory') throw usageError('the memory event bus lives inside the system process: set TRANSPORT (or EVENT_BUS) as the apps run');
  const spinner = new Spinner().start(`waiting for events on ${config.bus} (namespace ${config.namespace}); Ctrl-C stops`);
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  void options.stop.then(finish);
  const deliver = (event: DeliveredEvent) => {
    if (options.limit !== undefined && seen >= options.limit) return;
    spinner.stop();
    options.onEvent(tailed(event));
    seen++;
    if (options.limit !== undefined && seen >= options.limit) finish();
    else spinner.start(`${seen} events; waiting for more (Ctrl-C stops)`);
  };
  Logger.overrideLogger(STDERR_LOGGER); // stdout carries the events, one JSON line each
  const bus = createEventBus(config);
  try {
    // Stopped before the broker could be reached: closing the bus gives up the tap still opening.
    const tap = await Promise.race([bus.tap(options.types, deliver), done.then(() => undefined)]);
    await done;
    await tap?.close();
  } finally {
    await bus.close();
    spinner.stop();
  }
  return seen;
}
