import type { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeConnection, whenReady } from '@app/transport';
import type { TapHandle, TapListener } from '../bus/event-bus';
import { callTapListener } from '../tap/tap-queue';
import { StreamCommands, StreamEntry } from './stream-commands';
import { decodeEvent } from './stream-event';
import { compareIds } from './stream-trimmer';

/** Entries one read takes at most, over all the tap's streams. */
const TAP_READ_COUNT = 256;
/** A read waits this long for new entries at most (a close cuts it short). */
const TAP_BLOCK_MS = 1_000;
const PAUSE_AFTER_ERROR_MS = 1_000;
const WARN_EVERY_MS = 10_000;

export interface RedisStreamsTapOptions {
  /** Stream key -> the event type it holds. */
  streams: ReadonlyMap<string, string>;
  /** The tap's own connection (its blocking reads); closed with the tap. */
  blocking: Redis;
  onEvent: TapListener;
  log: Logger;
}

/**
 * A tap on the Redis Streams bus: `XREAD` (no consumer group, nothing acked, nothing written) on its own connection,
 * from each stream's last id when the tap started (what `$` means, without the gap `$` leaves between two reads),
 * then from the last id seen. After a lost connection it reads on from those ids, so it misses nothing the streams
 * still hold; entries trimmed meanwhile (the trimmer keeps what the consumer groups need, not what a tap needs) are
 * missed. Entries of one read are delivered in id order over all the streams (publish order, by Redis's clock).
 */
export class RedisStreamsTap implements TapHandle {
  private readonly commands: StreamCommands;
  private readonly keys: string[];
  private readonly after: string[] = [];
  private readonly abort = new AbortController();
  private closed = false;
  private loop?: Promise<void>;
  private closing?: Promise<void>;
  private warnedAt = 0;

  constructor(private readonly o: RedisStreamsTapOptions) {
    this.commands = new StreamCommands(o.blocking);
    this.keys = [...o.streams.keys()];
  }

  /** Resolves once positioned at the end of every stream (waits for Redis if it is down); then reads on its own. */
  async start(): Promise<void> {
    for (;;) {
      await whenReady(this.o.blocking, { abort: this.abort.signal }).catch(() => {
        throw new Error('the tap was closed before Redis was reachable');
      });
      try {
        for (const [i, key] of this.keys.entries()) this.after[i] = await this.commands.lastId(key);
        break;
      } catch (error) {
        if (this.closed) throw error;
        this.warn(`cannot position the tap yet: ${reason(error)}`);
        await sleep(PAUSE_AFTER_ERROR_MS);
      }
    }
    this.loop = this.run();
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.o.blocking.disconnect(); // Cuts the blocking read short; nothing of the tap is left in Redis.
    await this.loop;
    await closeConnection(this.o.blocking);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.o.blocking.status !== 'ready') {
        const ready = await whenReady(this.o.blocking, { abort: this.abort.signal }).then(() => true, () => false);
        if (!ready && !this.closed) await sleep(PAUSE_AFTER_ERROR_MS);
        continue;
      }
      let read: Map<string, StreamEntry[]>;
      try {
        read = await this.commands.read(this.keys, this.after, TAP_READ_COUNT, TAP_BLOCK_MS);
      } catch (error) {
        if (this.closed || this.o.blocking.status !== 'ready') continue; // The connection log tells about outages.
        this.warn(`the tap's read failed: ${reason(error)}`);
        await sleep(PAUSE_AFTER_ERROR_MS);
        continue;
      }
      const entries: { key: string; entry: StreamEntry }[] = [];
      for (const [key, list] of read) for (const entry of list) entries.push({ key, entry });
      entries.sort((a, b) => compareIds(a.entry.entryId, b.entry.entryId));
      for (const { key, entry } of entries) {
        if (this.closed) return;
        this.after[this.keys.indexOf(key)] = entry.entryId;
        const type = this.o.streams.get(key);
        if (!entry.fields || type === undefined) continue; // Deleted meanwhile.
        await callTapListener(this.o.onEvent, decodeEvent(type, { entryId: entry.entryId, fields: entry.fields }, 1), this.o.log);
      }
    }
  }

  private warn(message: string): void {
    if (Date.now() - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = Date.now();
    this.o.log.warn(message);
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
