import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JsMsg } from 'nats';
import { describeError } from './jetstream-connection';
import type { Permits } from './permits';

/** How long one pull request waits on the server for events (nats.js adds idle heartbeats at half of it). */
export const FETCH_EXPIRES_MS = 10_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
const LOG_EVERY_MS = 10_000;
/** A pull that ends empty faster than this did not wait on the server: treated as a failure, to back off. */
const MIN_EMPTY_PULL_MS = 100;

export interface PullLoopOptions {
  /** What the log lines call the consumer. */
  name: string;
  /** The durable consumer, created first if it is missing; asked again after every failure. */
  consumer: () => Promise<Consumer>;
  permits: Permits;
  /** Most permits one pull holds, so the consumers of one subscription share them. */
  share: number;
  /** Hands an event on; the receiver gives its permit back once the event is settled. */
  deliver: (msg: JsMsg) => void;
  log: Logger;
}

/**
 * Pulls one durable consumer for as long as it runs: each pull asks for no more events than the permits it holds,
 * so an instance never has more in hand than its concurrency. Any failure (broker down or restarting, consumer gone)
 * is logged (throttled) and followed by a new pull after a backoff, the consumer checked and recreated if missing.
 */
export class PullLoop {
  private stopped = false;
  private batch?: ConsumerMessages;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly done: Promise<void>;

  constructor(private readonly options: PullLoopOptions) {
    this.done = this.run();
  }

  /** Stops pulling; events that reach a stopped pull go straight back to the consumer. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.batch?.stop();
    clearTimeout(this.timer);
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { permits, log, name } = this.options;
    let consumer: Consumer | undefined;
    let delay = FIRST_RETRY_MS;
    let failingSince = 0;
    let loggedAt = 0;
    while (!this.isStopped()) {
      const held = await permits.take(this.options.share);
      if (held === 0) break;
      const count = { handed: 0 };
      let failure: unknown;
      try {
        consumer ??= await this.options.consumer();
        const startedAt = Date.now();
        await this.pull(consumer, held, count);
        if (count.handed === 0 && Date.now() - startedAt < MIN_EMPTY_PULL_MS && !this.isStopped()) {
          throw new Error('the pull request ended at once');
        }
      } catch (error) {
        failure = error;
      } finally {
        permits.give(held - count.handed);
      }
      if (this.isStopped()) break;
      if (failure === undefined) {
        if (failingSince) log.log(`${name}: pulling again after ${Math.round((Date.now() - failingSince) / 1000)}s`);
        failingSince = 0;
        delay = FIRST_RETRY_MS;
        continue;
      }
      consumer = undefined;
      failingSince ||= Date.now();
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        loggedAt = Date.now();
        log.warn(`${name}: cannot pull events: ${describeError(failure)}; retrying`);
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** One pull request for up to `held` events, counting those handed on (they keep their permits). */
  private async pull(consumer: Consumer, held: number, count: { handed: number }): Promise<void> {
    const batch = await consumer.fetch({ max_messages: held, expires: FETCH_EXPIRES_MS });
    this.batch = batch;
    try {
      if (this.isStopped()) batch.stop();
      for await (const msg of batch) {
        if (this.isStopped()) {
          giveBack(msg);
          continue;
        }
        count.handed++;
        this.options.deliver(msg);
      }
    } finally {
      this.batch = undefined;
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

/** Returns an event that reached a stopped pull to its consumer at once (else it comes back after the ack wait). */
function giveBack(msg: JsMsg): void {
  try {
    msg.nak();
  } catch {
    // The connection is gone: the server redelivers after the ack wait.
  }
}
