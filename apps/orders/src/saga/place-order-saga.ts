import { Inject, Injectable, Logger } from '@nestjs/common';
import { InventoryV1, OrdersEventsV1, PaymentsV1 } from '@app/contracts';
import { Outbox } from '@app/messaging';
import { CallContext, crashPoint, InjectClient, RpcError, ServiceClient, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { OrderRepository } from '../order.repository';
import { SAGA_CONFIG, SagaConfig } from './saga-config';
import { isFinal, isForward, nextState, SagaState, StepOutcome } from './saga-states';
import { Saga, SagaPatch, SagaStore } from './saga.store';

/** Answers that refuse a forward step for good (the order is rejected). Any other failure is retried. */
const REJECTING = new Set([
  StatusCode.FAILED_PRECONDITION,
  StatusCode.NOT_FOUND,
  StatusCode.INVALID_ARGUMENT,
  StatusCode.ALREADY_EXISTS,
  StatusCode.OUT_OF_RANGE,
]);

/** What a step's call returned that the saga keeps. */
type StepResult = SagaPatch | void;

/** The lease a run holds on its saga: when it ends, the token that renews it; undefined once lost or given up. */
interface HeldLease {
  until: number | undefined;
}

/**
 * The place-order saga's orchestrator. orders owns the saga: it sends commands (RPCs) to inventory and payments,
 * one step at a time, and records each outcome in its database (SagaStore) before it takes the next, so a crash
 * anywhere resumes from the stored state (SagaScheduler). Every step is idempotent per order in the service that
 * runs it, so repeating the step that was in flight at a crash is harmless. A forward step that is refused moves
 * the saga to compensation; one that keeps failing (a service down) is retried with backoff until its step timeout,
 * then compensated. The last move finishes the order and records its event in the same transaction.
 */
@Injectable()
export class PlaceOrderSaga {
  private readonly log = new Logger('saga');
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly sagas: SagaStore,
    private readonly orders: OrderRepository,
    private readonly outbox: Outbox,
    @Inject(SAGA_CONFIG) private readonly config: SagaConfig,
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
  ) {}

  /** Sagas this process is running now. */
  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Runs an order's saga as far as it can go now: to its end, or to a step to try again later (the scheduler does).
   * A saga another process holds is left alone; in this process one run per order at a time.
   */
  advance(orderId: string): Promise<void> {
    const current = this.running.get(orderId);
    if (current) return current;
    const run = this.run(orderId).finally(() => this.running.delete(orderId));
    this.running.set(orderId, run);
    return run;
  }

  private async run(orderId: string): Promise<void> {
    const held: HeldLease = { until: this.sagas.claim(orderId, this.config.leaseMs) };
    if (held.until === undefined) return;
    try {
      // Each move renews the lease in its own transaction (the final one gives it up): one commit per step.
      while (held.until !== undefined) {
        const saga = this.sagas.get(orderId);
        // After a failed attempt, wait for the retry time (a fresh step runs at once: its time only tells the scheduler).
        if (!saga || isFinal(saga.state) || (saga.attempts > 0 && saga.nextAttemptAt > Date.now())) return;
        if (!(await this.step(saga, held))) return;
      }
    } finally {
      if (held.until !== undefined) this.sagas.unclaim(orderId, held.until);
    }
  }

  /** Runs the saga's current step; true when it moved on, false when it must be tried again later. */
  private async step(saga: Saga, held: HeldLease): Promise<boolean> {
    let result: StepResult;
    try {
      result = await new CallContext(`saga.PlaceOrder/${saga.state}`, this.transport.transport, saga.context).run(() =>
        this.call(saga),
      );
    } catch (thrown) {
      const error = RpcError.from(thrown);
      const described = `${error.codeName}: ${error.message}`;
      if (isForward(saga.state) && REJECTING.has(error.code)) return this.move(saga, held, 'rejected', { reason: error.message }, described);
      if (isForward(saga.state) && Date.now() - saga.stepStartedAt >= this.config.stepTimeoutMs) {
        const reason = `${stepName(saga.state)} did not succeed within ${this.config.stepTimeoutMs} ms (${described})`;
        return this.move(saga, held, 'timed-out', { reason }, described);
      }
      const delay = Math.min(this.config.retryMaxDelayMs, this.config.retryBaseDelayMs * 2 ** saga.attempts);
      this.sagas.failed(saga, described, Date.now() + delay);
      if (saga.attempts % 10 === 0) this.log.warn(`order ${saga.orderId}: ${stepName(saga.state)} failed (attempt ${saga.attempts + 1}), retry in ${delay} ms: ${described}`);
      return false;
    }
    return this.move(saga, held, 'done', result ?? {});
  }

  /** The command of the saga's current step. */
  private async call(saga: Saga): Promise<StepResult> {
    const orderId = saga.orderId;
    switch (saga.state) {
      case 'RESERVING': {
        const order = this.orders.find(orderId);
        if (!order) throw new RpcError(StatusCode.NOT_FOUND, `order ${orderId} is not stored`);
        const { totalCents } = await this.inventory.reserve({ orderId, items: order.items });
        return { totalCents };
      }
      case 'CHARGING': {
        const order = this.orders.find(orderId);
        if (!order) throw new RpcError(StatusCode.NOT_FOUND, `order ${orderId} is not stored`);
        await this.payments.charge(
          { orderId, amountCents: saga.totalCents, currency: 'EUR', paymentMethod: order.paymentMethod },
          { idempotencyKey: `order-${orderId}` },
        );
        crashPoint('saga.after-charge');
        return;
      }
      case 'REFUNDING':
        await this.payments.cancel({ orderId });
        return;
      case 'RELEASING':
        await this.inventory.release({ orderId });
        return;
      default:
        throw new Error(`no step in state ${saga.state}`);
    }
  }

  /**
   * Records the outcome and the next state, and in the same transaction renews the lease `held` (a final state gives
   * it up, finishes the order and records its event); `held.until` is undefined afterwards when the lease was lost.
   */
  private move(saga: Saga, held: HeldLease, outcome: StepOutcome, patch: SagaPatch, detail?: string): boolean {
    const to = nextState(saga.state, outcome);
    const { moved, until } = this.sagas.db
      .transaction((lease: number) => {
        if (!this.sagas.move(saga, outcome, to, patch, detail)) return { moved: false, until: lease };
        if (!isFinal(to)) return { moved: true, until: this.sagas.renew(saga.orderId, lease, this.config.leaseMs) };
        this.finishOrder(saga.orderId, to, patch.totalCents ?? saga.totalCents, patch.reason ?? saga.reason);
        this.sagas.unclaim(saga.orderId, lease);
        return { moved: true, until: undefined };
      })
      .immediate(held.until!);
    held.until = until;
    if (moved && outcome !== 'done') this.log.log(`order ${saga.orderId}: ${stepName(saga.state)} ${outcome} (${detail}); compensating`);
    return moved;
  }

  private finishOrder(orderId: string, status: 'CONFIRMED' | 'REJECTED', totalCents: number, reason = 'rejected'): void {
    const order = this.orders.find(orderId);
    if (!order) return;
    const now = new Date().toISOString();
    if (status === 'CONFIRMED') {
      if (this.orders.finish(orderId, 'CONFIRMED', totalCents)) {
        this.outbox.add(OrdersEventsV1.orderConfirmed, { orderId, customerId: order.customerId, totalCents, confirmedAt: now });
      }
    } else if (this.orders.finish(orderId, 'REJECTED', 0, reason.slice(0, 500))) {
      this.outbox.add(OrdersEventsV1.orderRejected, { orderId, customerId: order.customerId, reason: reason.slice(0, 500), rejectedAt: now });
    }
  }
}

const STEP_NAMES: Record<SagaState, string> = {
  RESERVING: 'reserve',
  CHARGING: 'charge',
  REFUNDING: 'cancel payment',
  RELEASING: 'release',
  CONFIRMED: 'confirmed',
  REJECTED: 'rejected',
};
const stepName = (state: SagaState) => STEP_NAMES[state];
