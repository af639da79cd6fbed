import { createInbox, JsMsg, NatsConnection, Subscription as NatsSubscription } from 'nats';

/** How long a confirmed ack waits for the server's reply (nats.js's own default for `ackAck`). */
export const ACK_CONFIRM_TIMEOUT_MS = 5000;
const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
  sentAt: number;
}

/**
 * Sends the acks of one subscription. Acks asked for within one turn of the event loop go out together after it
 * (so nats.js writes them to the socket at once, not one write each). A confirmed ack is `+ACK` with a reply
 * subject under one wildcard subscription of this acker, resolved when the server's reply comes: the same protocol
 * as nats.js `ackAck`, without its per-ack request, timer and error object (it builds a NatsError with a stack for
 * every request it resolves). One sweep a second rejects what waited longer than ACK_CONFIRM_TIMEOUT_MS.
 */
export class JetStreamAcker {
  private queue: { msg: JsMsg; token?: string }[] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly waiting = new Map<string, Waiting>();
  private readonly prefix: string;
  private replies?: NatsSubscription;
  private sweeper?: NodeJS.Timeout;
  private counter = 0;
  private closed = false;

  constructor(private readonly nc: NatsConnection) {
    this.prefix = `${createInbox()}.`;
  }

  /** Confirmed acks waiting for the server's reply. */
  get confirming(): number {
    return this.waiting.size;
  }

  /** Acks without waiting for the server (`ack`). */
  ack(msg: JsMsg): void {
    this.queue.push({ msg });
    this.schedule();
  }

  /** Acks and resolves once the server confirms it; rejects if it does not within ACK_CONFIRM_TIMEOUT_MS. */
  confirm(msg: JsMsg): Promise<void> {
    const reply = (msg as JsMsg & { reply?: string }).reply;
    if (this.closed || !reply) return msg.ackAck().then(() => undefined);
    this.listen();
    const token = (++this.counter).toString(36);
    const confirmed = new Promise<void>((resolve, reject) => this.waiting.set(token, { resolve, reject, sentAt: Date.now() }));
    this.sweep();
    this.queue.push({ msg, token });
    this.schedule();
    return confirmed;
  }

  /** Sends what is queued now; rejects the confirmations still waiting and stops listening for replies. */
  close(): void {
    this.closed = true;
    this.send();
    this.fail(() => true, 'the subscription closed before the server confirmed the ack');
    this.replies?.unsubscribe();
    this.replies = undefined;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => this.send());
  }

  private send(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const queue = this.queue;
    this.queue = [];
    for (const { msg, token } of queue) {
      try {
        if (token === undefined) msg.ack();
        else this.nc.publish((msg as JsMsg & { reply: string }).reply, ACK, { reply: this.prefix + token });
      } catch (error) {
        // The connection is closed: the server delivers the event again after the ack wait.
        if (token !== undefined) this.settle(token, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private listen(): void {
    if (this.replies && !this.replies.isClosed()) return;
    this.replies = this.nc.subscribe(`${this.prefix}*`, {
      callback: (_error, reply) => {
        if (reply) this.settle(reply.subject.slice(this.prefix.length));
      },
    });
  }

  private settle(token: string, error?: Error): void {
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    if (error) waiting.reject(error);
    else waiting.resolve();
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Keeps one timer while confirmations wait: it fails those that waited too long. */
  private sweep(): void {
    this.sweeper ??= setInterval(() => {
      const before = Date.now() - ACK_CONFIRM_TIMEOUT_MS;
      this.fail((w) => w.sentAt <= before, `the server did not confirm the ack within ${ACK_CONFIRM_TIMEOUT_MS} ms`);
    }, 1000).unref();
  }

  private fail(which: (waiting: Waiting) => boolean, reason: string): void {
    for (const [token, waiting] of this.waiting) if (which(waiting)) this.settle(token, new Error(reason));
  }
}
