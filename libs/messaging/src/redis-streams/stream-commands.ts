import type Redis from 'ioredis';
import { createHash } from 'node:crypto';

/** A stream entry as Redis returns it: its id and its fields, or null fields for an entry deleted meanwhile. */
export interface StreamEntry {
  entryId: string;
  fields: Map<string, string> | null;
}

/** One line of the extended XPENDING form. */
export interface PendingEntry {
  entryId: string;
  consumer: string;
  idleMs: number;
  /** How many times the entry has been delivered (XREADGROUP and every XCLAIM without JUSTID count one). */
  deliveries: number;
}

/** What XINFO GROUPS says of one group. */
export interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
}

/**
 * Stores an event unless its id was seen within the window, atomically: a duplicate check, XADD, then the mark.
 * The mark comes last so an XADD that fails leaves no mark behind (the caller's retry is not taken for a duplicate).
 * KEYS: stream, seen-mark. ARGV: window ms, max length, event id, metadata JSON, body. Returns 1 if stored.
 */
const PUBLISH_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[3], 'md', ARGV[4], 'body', ARGV[5])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return 1
`;
const PUBLISH_SHA = createHash('sha1').update(PUBLISH_SCRIPT).digest('hex');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
export const isNoGroup = (error: unknown) => message(error).startsWith('NOGROUP');
const isBusyGroup = (error: unknown) => message(error).startsWith('BUSYGROUP');

const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString() : String(value));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function entry(raw: unknown): StreamEntry | undefined {
  const [id, flat] = list(raw);
  if (id === undefined || id === null) return undefined;
  if (!Array.isArray(flat)) return { entryId: text(id), fields: null };
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(text(flat[i]), text(flat[i + 1]));
  return { entryId: text(id), fields };
}

const entries = (raw: unknown): StreamEntry[] =>
  list(raw)
    .map(entry)
    .filter((e): e is StreamEntry => e !== undefined);

/** The stream commands the bus needs, on one connection, with their replies parsed and checked. */
export class StreamCommands {
  constructor(readonly redis: Redis) {}

  /** Stores the event; false when its id was already published within the window. */
  async publish(
    stream: string,
    seen: string,
    args: { windowMs: number; maxLen: number; id: string; metadata: string; body: string },
  ): Promise<boolean> {
    const argv = [String(args.windowMs), String(args.maxLen), args.id, args.metadata, args.body];
    try {
      return Number(await this.redis.call('EVALSHA', PUBLISH_SHA, 2, stream, seen, ...argv)) === 1;
    } catch (error) {
      if (!message(error).startsWith('NOSCRIPT')) throw error;
      return Number(await this.redis.call('EVAL', PUBLISH_SCRIPT, 2, stream, seen, ...argv)) === 1;
    }
  }

  /** Creates the group at `startId` (creating the stream too); an existing group is kept as it is. */
  async createGroup(stream: string, group: string, startId: '$' | '0'): Promise<void> {
    try {
      await this.redis.call('XGROUP', 'CREATE', stream, group, startId, 'MKSTREAM');
    } catch (error) {
      if (!isBusyGroup(error)) throw error;
    }
  }

  /** New entries (`>`) for this consumer, per stream; waits up to `blockMs` for some. */
  async readNew(
    group: string,
    consumer: string,
    streams: readonly string[],
    count: number,
    blockMs: number,
  ): Promise<Map<string, StreamEntry[]>> {
    const options = ['GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs];
    const reply = await this.redis.call('XREADGROUP', ...options, 'STREAMS', ...streams, ...streams.map(() => '>'));
    const read = new Map<string, StreamEntry[]>();
    for (const item of list(reply)) {
      const [key, items] = list(item);
      if (key !== undefined) read.set(text(key), entries(items));
    }
    return read;
  }

  /**
   * Entries after the given ids (one per stream), without a group (XREAD): nothing is recorded in Redis. Waits up
   * to `blockMs` for some.
   */
  async read(streams: readonly string[], after: readonly string[], count: number, blockMs: number): Promise<Map<string, StreamEntry[]>> {
    const reply = await this.redis.call('XREAD', 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...streams, ...after);
    const read = new Map<string, StreamEntry[]>();
    for (const item of list(reply)) {
      const [key, items] = list(item);
      if (key !== undefined) read.set(text(key), entries(items));
    }
    return read;
  }

  /** The id of the last entry ever added to the stream (`0-0` for a stream that does not exist). */
  async lastId(stream: string): Promise<string> {
    try {
      const flat = list(await this.redis.call('XINFO', 'STREAM', stream));
      for (let i = 0; i + 1 < flat.length; i += 2) if (text(flat[i]) === 'last-generated-id') return text(flat[i + 1]);
      return '0-0';
    } catch (error) {
      if (message(error).includes('no such key')) return '0-0';
      throw error;
    }
  }

  /** Pending entries idle for at least `minIdleMs`, from `start` (an id, or `(id` to exclude it), maybe of one consumer. */
  async pending(
    stream: string,
    group: string,
    options: { minIdleMs: number; start?: string; count: number; consumer?: string },
  ): Promise<PendingEntry[]> {
    const args: (string | number)[] = [stream, group, 'IDLE', options.minIdleMs, options.start ?? '-', '+', options.count];
    if (options.consumer) args.push(options.consumer);
    const reply = await this.redis.call('XPENDING', ...args);
    return list(reply).map((line) => {
      const [entryId, consumer, idle, deliveries] = list(line);
      return { entryId: text(entryId), consumer: text(consumer), idleMs: Number(idle), deliveries: Number(deliveries) };
    });
  }

  /** Claims entries idle for at least `minIdleMs`, counting one more delivery of each; returns what was claimed. */
  async claim(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    ids: readonly string[],
  ): Promise<StreamEntry[]> {
    if (ids.length === 0) return [];
    return entries(await this.redis.call('XCLAIM', stream, group, consumer, minIdleMs, ...ids));
  }

  /** Moves entries idle for `minIdleMs` or more to `consumer`, restarting their idle time, counting no delivery. */
  async move(stream: string, group: string, consumer: string, minIdleMs: number, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.call('XCLAIM', stream, group, consumer, minIdleMs, ...ids, 'JUSTID');
  }

  async ack(stream: string, group: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.call('XACK', stream, group, ...ids);
  }

  /** Removes a consumer that holds no entry (one that still holds some is left alone). */
  async removeIdleConsumer(stream: string, group: string, consumer: string): Promise<void> {
    const held = await this.pending(stream, group, { minIdleMs: 0, count: 1, consumer });
    if (held.length === 0) await this.redis.call('XGROUP', 'DELCONSUMER', stream, group, consumer);
  }

  async groups(stream: string): Promise<GroupInfo[]> {
    return list(await this.redis.call('XINFO', 'GROUPS', stream)).map((raw) => {
      const flat = list(raw);
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < flat.length; i += 2) info.set(text(flat[i]), flat[i + 1]);
      const lastDeliveredId = text(info.get('last-delivered-id'));
      return { name: text(info.get('name')), pending: Number(info.get('pending')), lastDeliveredId };
    });
  }

  /** The smallest id pending in the group, if any (the summary form of XPENDING). */
  async oldestPending(stream: string, group: string): Promise<string | undefined> {
    const [count, smallest] = list(await this.redis.call('XPENDING', stream, group));
    return Number(count) > 0 && smallest !== null && smallest !== undefined ? text(smallest) : undefined;
  }

  /** Drops entries older than `minId` (approximately: whole nodes only, so a few older ones may stay). */
  async trimBefore(stream: string, minId: string): Promise<void> {
    await this.redis.call('XTRIM', stream, 'MINID', '~', minId);
  }
}
