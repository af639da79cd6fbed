import { Injectable } from '@nestjs/common';
import { RpcError, StatusCode } from '@app/transport';
import type { DeliveredEvent } from '../bus/event-bus';

export type ReplayOutcome = { handled: true } | { handled: false; error: RpcError };

/** What runs a replayed event through the app's handler pipeline once: the app's EventServer. */
export interface ReplayTarget {
  replay(event: DeliveredEvent, originallyPublishedAt: number | undefined): Promise<ReplayOutcome>;
}

/** Connects DeadLetterService (in DI) to the app's EventServer (a strategy made outside DI, by `eventConsumer`). */
@Injectable()
export class ReplayRunner {
  private target?: ReplayTarget;

  attach(target: ReplayTarget): void {
    this.target = target;
  }

  run(event: DeliveredEvent, originallyPublishedAt: number | undefined): Promise<ReplayOutcome> {
    if (!this.target) {
      throw new RpcError(
        StatusCode.FAILED_PRECONDITION,
        'this app consumes no events (no eventConsumer): nothing can replay a dead letter here',
      );
    }
    return this.target.replay(event, originallyPublishedAt);
  }
}
