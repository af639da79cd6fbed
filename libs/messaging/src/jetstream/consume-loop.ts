import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JsMsg } from 'nats';
import { describeError } from './jetstream-connection';
import type { Permits } from './permits';

/** How long one pull request of `consume()` waits on the server (nats.js sends idle heartbeats at half of it). */
export const PULL_EXPIRES_MS = 10_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
const LOG_EVERY_MS = 10_000;

export interface ConsumeLoopOptions {
  /** What the log lines call the consumer. */
  name: string;
  /** The durable consumer, created first if it is missing; asked again after every failure. */
  consumer: () => Promise<Consumer>;
  permits: Permits;
  /** The subscription's permits per consumer: the size of this consumer's buffer. */
  share: number;
  /** Hands an event on with one permit; the receiver gives the permit back once the event is settled. */
  deliver: (msg: JsMsg) => void;
  log: Logger;
}

/** The `consume()` buffer of a consumer with `share` permits: refilled when half of it has come in. */
export const bufferOf = (share: number) => ({ max_messages: share, threshold_messages: Math.max(1, Math.floor(share / 2)) });

/**
 * Consumes one durable consumer for as long as it runs, with nats.js `consume()`: one standing subscription that
 * keeps up to `share` events requested from the server and asks for more once half have come in. nats.js sends
 * each further pull request only when this loop has taken every event before it from the buffer, and the loop takes
 * an event only with a permit: so at most `concurrency` events are handled at once over all the consumers of a
 * subscription, and at most `share` more (1.5x in the worst case) wait in one consumer's buffer. A buffered event's
 * ack wait (30 s) runs while it waits there (up to two handler runs), and nats.js gives no way to tell the server it
 * is kept: with handlers that run for more than ~15 s, it can come again to another instance meanwhile.
 * Any failure (broker down or restarting, consumer or stream gone) ends the consume; it is logged (throttled) and
 * followed, after a backoff, by a new one on the consumer checked and recreated if missing. Reconnects and missed
 * heartbeats are nats.js's own business (it re-pulls).
 */
export class ConsumeLoop {
  private stopped = false;
  private messages?: ConsumerMessages;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly done: Promise<void>;

  constructor(private readonly options: ConsumeLoopOptions) {
    this.done = this.run();
  }

  /** Stops consuming; events still in the buffer go straight back to the consumer (nak). Close the permits first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    clearTimeout(this.timer);
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { log, name } = this.options;
    let consumer: Consumer | undefined;
    let delay = FIRST_RETRY_MS;
    let failingSince = 0;
    let loggedAt = 0;
    while (!this.isStopped()) {
      let failure: unknown;
      try {
        consumer ??= await this.options.consumer();
        const messages = await consumer.consume({
          ...bufferOf(this.options.share),
          expires: PULL_EXPIRES_MS,
          // A consumer or stream deleted under it ends the consume, so this loop recreates them.
          abort_on_missing_resource: true,
        });
        this.messages = messages;
        if (this.isStopped()) messages.stop();
        if (failingSince) log.log(`${name}: consuming again after ${Math.round((Date.now() - failingSince) / 1000)}s`);
        failingSince = 0;
        delay = FIRST_RETRY_MS;
        await this.drain(messages);
        if (!this.isStopped()) failure = new Error('the consumer stopped');
      } catch (error) {
        failure = error;
      } finally {
        this.messages = undefined;
      }
      if (this.isStopped()) break;
      consumer = undefined;
      failingSince ||= Date.now();
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        loggedAt = Date.now();
        log.warn(`${name}: cannot consume events: ${describeError(failure)}; retrying`);
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** Hands on each event of the buffer as a permit comes free; once stopped, gives the rest back. */
  private async drain(messages: ConsumerMessages): Promise<void> {
    const { permits } = this.options;
    for await (const msg of messages) {
      const permitted = !this.isStopped() && (permits.tryTake() || (await permits.take(1)) > 0);
      if (permitted && !this.isStopped()) {
        this.options.deliver(msg);
        continue;
      }
      if (permitted) permits.give(1);
      giveBack(msg);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  /** Read through a method so TypeScript does not narrow `stopped` across awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }
}

/** Returns an event this instance will not handle to its consumer at once (else it comes back after the ack wait). */
function giveBack(msg: JsMsg): void {
  try {
    msg.nak();
  } catch {
    // The connection is gone: the server redelivers after the ack wait.
  }
}
