import type { NatsConnection, PublishOptions } from 'nats';

interface Publish {
  nc: NatsConnection;
  subject: string;
  data: string;
  options: PublishOptions | undefined;
  done: ((error?: unknown) => void) | undefined;
}

/**
 * Publishes in batches of one event-loop turn. nats.js writes its outbound buffer to the socket in a microtask
 * after the first command: publishes made in different microtask rounds (every call resumes after a few awaits)
 * would each be a socket write of their own. Queued here and published together in the turn's check phase (right
 * after the socket reads that caused them), they leave in one write. `done` is told once the publish was handed to
 * nats.js, with the error if it failed (e.g. the connection closed meanwhile).
 */
export class NatsPublishBatch {
  private queue: Publish[] = [];
  private scheduled = false;

  publish(nc: NatsConnection, subject: string, data: string, options?: PublishOptions, done?: (error?: unknown) => void): void {
    this.queue.push({ nc, subject, data, options, done });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const { nc, subject, data, options, done } of queue) {
      let failure: unknown;
      try {
        nc.publish(subject, data, options);
      } catch (error) {
        failure = error ?? new Error('publish failed');
      }
      done?.(failure);
    }
  };
}
