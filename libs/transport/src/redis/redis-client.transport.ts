import type Redis from 'ioredis';
import type { ClientTransport, OutboundCall } from '../driver/transport-driver';
import { deadlineExceeded, unavailable } from '../status/rpc-error';
import { PendingCalls } from '../wire/pending-calls';
import { whenReady, WriteBatch } from './redis-connection';
import { RequestEncoder } from './redis-envelope';
import type { ReplyRouter } from './reply-router';

/** Most requests, and characters, one LPUSH carries (a batch past either is pushed at once). */
const MAX_BATCH = 128;
const MAX_BATCH_CHARS = 256 * 1024;

export interface RedisClientOptions {
  /** The driver's command connection (LPUSH). */
  commands: Redis;
  /** Coalesces the writes on `commands`. */
  writes: WriteBatch;
  replies: ReplyRouter;
  /** The target service's request list. */
  requestKey: string;
  /** This client's own reply channel. */
  replyChannel: string;
  /** Expiry given to a request list when a push creates it, so a list nobody serves does not live forever. */
  requestListTtlMs: number;
}

/**
 * Sends calls to one service by pushing them on its request list (one instance pops each) and awaits the replies
 * on its own channel. A call made while Redis is unreachable fails at once with UNAVAILABLE; the first calls wait
 * for the reply subscription, so no reply can be published before anyone listens. The calls made in one turn of
 * the event loop go out as one LPUSH (each still its own list element, popped and answered on its own).
 */
export class RedisClientTransport implements ClientTransport {
  private readonly pending = new PendingCalls();
  private readonly encoder: RequestEncoder;
  private subscribed = false;
  private starting?: Promise<void>;
  private closed = false;
  /** The requests made in this turn, pushed together at its end. */
  private batch?: { ids: string[]; requests: string[]; chars: number };

  constructor(private readonly options: RedisClientOptions) {
    this.encoder = new RequestEncoder(options.replyChannel);
    const subscribing = options.replies.add(options.replyChannel, this.pending).then(() => {
      this.subscribed = !this.closed;
    });
    subscribing.catch(() => undefined);
    this.starting = this.firstAttempt(subscribing).then(() => {
      this.starting = undefined;
    });
  }

  send(call: OutboundCall): Promise<unknown> {
    if (this.up) return this.push(call);
    if (this.starting && !this.closed) return this.afterStart(this.starting, call);
    return Promise.reject(this.down());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribed = false;
    this.pending.failAll(unavailable('client closed'));
    await this.options.replies.remove(this.options.replyChannel);
  }

  private get up(): boolean {
    return this.subscribed && this.options.commands.status === 'ready' && this.options.replies.up;
  }

  private push(call: OutboundCall): Promise<unknown> {
    const id = this.pending.nextId();
    const reply = this.pending.register(id, call.method.pattern, call.deadline);
    const request = this.encoder.encode(id, call);
    const batch = this.batch;
    if (batch) {
      batch.ids.push(id);
      batch.requests.push(request);
      batch.chars += request.length;
      if (batch.ids.length >= MAX_BATCH || batch.chars >= MAX_BATCH_CHARS) this.flush();
    } else {
      this.batch = { ids: [id], requests: [request], chars: request.length };
      process.nextTick(this.flush);
    }
    return reply;
  }

  /**
   * Pushes the requests of this turn (every call made until the current callbacks and their promise chains have
   * run) with one LPUSH: one command and one reply for all of them, in the order they were made.
   */
  private readonly flush = (): void => {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    if (this.closed) return; // close() failed these calls already
    const { commands, requestKey, writes } = this.options;
    const { ids, requests } = batch;
    writes.hold();
    commands.lpush(requestKey, ...requests).then(
      (length) => this.pushed(length, requests.length),
      (error: Error) => {
        const failure = unavailable(`cannot reach Redis: ${error.message}`);
        for (const id of ids) this.pending.fail(id, failure);
      },
    );
  };

  /** A push that created the list gives it its expiry (a live list empties, and so is created anew, often). */
  private pushed(length: number, pushed: number): void {
    if (length !== pushed) return;
    const { commands, requestKey, requestListTtlMs, writes } = this.options;
    writes.hold();
    commands.pexpire(requestKey, requestListTtlMs).catch(() => undefined);
  }

  /** Waits for the first connection attempt, but not past the call's deadline (a TLS handshake can hang). */
  private async afterStart(starting: Promise<void>, call: OutboundCall): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, call.deadline - Date.now()));
    });
    const started = await Promise.race([starting.then(() => true), deadline]).finally(() => clearTimeout(timer));
    if (!started) throw unavailable(`Redis is unreachable (no connection within the call's deadline)`);
    return this.sendAfterStart(call);
  }

  private sendAfterStart(call: OutboundCall): Promise<unknown> {
    if (this.closed || !this.up) return Promise.reject(this.down());
    if (call.deadline <= Date.now()) return Promise.reject(deadlineExceeded(call.method.pattern));
    return this.push(call);
  }

  private down() {
    return unavailable(this.closed ? 'client closed' : 'Redis is unreachable');
  }

  /** Settles when the client is ready to send, or as soon as a first connection attempt failed. */
  private firstAttempt(subscribing: Promise<void>): Promise<void> {
    const { commands, replies } = this.options;
    if (commands.status === 'reconnecting' || replies.subscriber.status === 'reconnecting') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        commands.off('close', done);
        replies.subscriber.off('close', done);
        resolve();
      };
      commands.once('close', done);
      replies.subscriber.once('close', done);
      Promise.all([subscribing, whenReady(commands)]).then(done, done);
    });
  }
}
