import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PlaceOrderSaga } from './place-order-saga';
import { SAGA_CONFIG, SagaConfig } from './saga-config';
import { SagaStore } from './saga.store';

/**
 * Resumes sagas from the database: at start (whatever a crash left half done) and then every `pollMs`, it runs the
 * unfinished sagas whose next attempt is due and that no process holds, at most `concurrency` at once. OrderPlaced
 * starts a saga at once; this is what makes a saga finish without that event, after a crash or a failed step.
 */
@Injectable()
export class SagaScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('saga');
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly saga: PlaceOrderSaga,
    private readonly sagas: SagaStore,
    @Inject(SAGA_CONFIG) private readonly config: SagaConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    const unfinished = this.sagas.unfinished();
    if (unfinished > 0) this.log.log(`${unfinished} unfinished sagas to resume`);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled(this.active);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    const room = this.config.concurrency - this.active.size;
    const due = room > 0 ? this.sagas.due(room) : [];
    for (const orderId of due) {
      const run = this.saga
        .advance(orderId)
        .catch((error) => this.log.error(`saga of order ${orderId} stopped: ${(error as Error).message}`))
        .finally(() => this.active.delete(run));
      this.active.add(run);
    }
    // A full batch means more are waiting: look again soon rather than after a whole poll interval.
    this.schedule(due.length > 0 && due.length === room ? 20 : this.config.pollMs);
  }
}
