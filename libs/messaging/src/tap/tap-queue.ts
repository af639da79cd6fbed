import type { Logger } from '@nestjs/common';
import type { DeliveredEvent, TapListener } from '../bus/event-bus';

/** Calls a tap's listener for one event; a throw (or rejection) is logged, and the tap goes on with the next event. */
export async function callTapListener(onEvent: TapListener, event: DeliveredEvent, log: Logger): Promise<void> {
  try {
    await onEvent(event);
  } catch (error) {
    log.warn(`the tap's listener failed on ${event.type} ${event.id} (skipped): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Hands events pushed from a source that does not wait (the memory broker) to a tap's listener one at a time, in
 * the order pushed. `close` drops what is queued and waits for the call in progress.
 */
export class TapQueue {
  private readonly queue: DeliveredEvent[] = [];
  private running?: Promise<void>;
  private closed = false;

  constructor(
    private readonly onEvent: TapListener,
    private readonly log: Logger,
  ) {}

  push(event: DeliveredEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    this.running ??= this.drain();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let event = this.queue.shift(); event && !this.closed; event = this.queue.shift()) {
      await callTapListener(this.onEvent, event, this.log);
    }
    this.running = undefined;
  }
}
