import { createInbox, Msg, NatsConnection, Subscription } from 'nats';

/** Receives the reply of one call, by the call id that ended its reply subject. */
export type ReplyRoute = (callId: string, msg: Msg) => void;

/**
 * The one reply subscription of a connection (`_INBOX.<nuid>.*`), shared by all its clients: a call is published
 * with reply subject `<inbox>.<call id>`, and a call id starts with its client's key (`<key>-`), which routes the
 * reply back to the client. No per-call subscription or bookkeeping beyond the client's pending call.
 */
export class NatsReplyInbox {
  private readonly prefix = `${createInbox()}.`;
  private readonly routes = new Map<string, ReplyRoute>();
  private subscription?: Subscription;
  private clients = 0;

  /** Adds a client; returns its key, the prefix of each of its call ids. */
  add(route: ReplyRoute): string {
    const key = `${(++this.clients).toString(36)}-`;
    this.routes.set(key, route);
    return key;
  }

  remove(key: string): void {
    this.routes.delete(key);
  }

  replySubject(callId: string): string {
    return this.prefix + callId;
  }

  /** Subscribes on the connection (once; nats.js renews it after a reconnect). */
  attach(nc: NatsConnection): void {
    if (this.subscription) return;
    this.subscription = nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => {
        if (error) return;
        const callId = msg.subject.slice(this.prefix.length);
        this.routes.get(callId.slice(0, callId.indexOf('-') + 1))?.(callId, msg);
      },
    });
  }
}
