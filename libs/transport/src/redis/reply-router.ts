import type Redis from 'ioredis';
import { unavailable } from '../status/rpc-error';
import { decodeReply } from '../wire/json-codec';
import type { PendingCalls } from '../wire/pending-calls';
import { closeConnection } from './redis-connection';
import { readReplyId } from './redis-envelope';
import type { ThrottledLog } from './throttled-log';

/**
 * A driver's one subscriber connection. Each client has its own reply channel on it (one SUBSCRIBE per client,
 * none per call); a reply settles the pending call its id names. When the connection drops, replies on their way
 * are lost, so every pending call fails with UNAVAILABLE at once instead of waiting for its deadline.
 */
export class ReplyRouter {
  private readonly routes = new Map<string, PendingCalls>();

  constructor(
    readonly subscriber: Redis,
    private readonly log: ThrottledLog,
  ) {
    subscriber.on('message', (channel: string, text: string) => this.route(channel, text));
    subscriber.on('close', () => {
      if (this.routes.size === 0) return;
      const lost = unavailable('lost the connection to Redis while waiting for the reply');
      for (const pending of this.routes.values()) pending.failAll(lost);
    });
  }

  get up(): boolean {
    return this.subscriber.status === 'ready';
  }

  /** Routes `channel` to `pending`; resolves once subscribed (which waits for Redis, however long). */
  add(channel: string, pending: PendingCalls): Promise<unknown> {
    this.routes.set(channel, pending);
    return this.subscriber.subscribe(channel);
  }

  async remove(channel: string): Promise<void> {
    if (!this.routes.delete(channel)) return;
    const unsubscribing = this.subscriber.unsubscribe(channel).catch(() => undefined);
    if (this.up) await unsubscribing;
  }

  close(): Promise<void> {
    this.routes.clear();
    return closeConnection(this.subscriber);
  }

  private route(channel: string, text: string): void {
    const pending = this.routes.get(channel);
    if (!pending) return;
    const id = readReplyId(text);
    if (id === undefined) return this.log.warn('malformed-reply', `ignored a malformed reply on ${channel}`);
    pending.settle(id, () => decodeReply(text));
  }
}
