import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENTS_AUDIENCE, ServiceTokenVerifier } from '@app/auth';
import { EventRef, OrdersEventsV1 } from '@app/contracts';
import { createEventBus, DeliveredEvent, EventBus, loadEventBusConfig, ObservedEventBus, TapHandle } from '@app/messaging';
import { TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { OrderStatusEvent, RecentOrderEvents } from './recent-order-events';

type Listener = (event: OrderStatusEvent) => void;

/** How long start-up waits for the order events tap before serving without it (it goes on trying). */
const SUBSCRIBE_WAIT_MS = 10_000;

/** The order events pushed to clients, each turned into the status it means. */
const PUSHED: Record<string, { ref: EventRef; toPush: (body: never, id: string) => { customerId: string; event: OrderStatusEvent } }> = {
  [OrdersEventsV1.orderPlaced.type]: {
    ref: OrdersEventsV1.orderPlaced,
    toPush: (e: { orderId: string; customerId: string; placedAt: string }, id) => ({
      customerId: e.customerId,
      event: { type: 'order.status', id, orderId: e.orderId, status: 'PENDING', at: e.placedAt },
    }),
  },
  [OrdersEventsV1.orderConfirmed.type]: {
    ref: OrdersEventsV1.orderConfirmed,
    toPush: (e: { orderId: string; customerId: string; totalCents: number; confirmedAt: string }, id) => ({
      customerId: e.customerId,
      event: { type: 'order.status', id, orderId: e.orderId, status: 'CONFIRMED', totalCents: e.totalCents, at: e.confirmedAt },
    }),
  },
  [OrdersEventsV1.orderRejected.type]: {
    ref: OrdersEventsV1.orderRejected,
    toPush: (e: { orderId: string; customerId: string; reason: string; rejectedAt: string }, id) => ({
      customerId: e.customerId,
      event: { type: 'order.status', id, orderId: e.orderId, status: 'REJECTED', reason: e.reason, at: e.rejectedAt },
    }),
  },
};

/**
 * The gateway's feed of order status changes for WebSocket push. Each gateway instance reads the orders events with
 * a tap of its own (EventBus.tap: a JetStream ephemeral consumer, a Redis XREAD, a memory listener), so every
 * instance receives every event (fan-out) and pushes it to the sockets connected to it, and nothing stays on the
 * broker when the instance stops: no consumer, no consumer group, whatever its INSTANCE_ID (a crashed instance's
 * JetStream consumer is removed by the server after its inactivity threshold). The tap is not acked and never
 * touches the services' consumer groups. An event must carry a valid event token of `orders` (like every consumer
 * checks) and match its contract; anything else is dropped with a warning. Each event is kept in a bounded
 * per-customer buffer (RecentOrderEvents) for sockets that resume after a reconnect.
 *
 * The tap starts at the events published after the instance opened it; across a broker reconnect it resumes after
 * the last event it saw, so the buffer has no hole and a socket's resume with `lastEventId` stays exact.
 */
@Injectable()
export class OrderEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OrderPush');
  private readonly listeners = new Map<string, Set<Listener>>();
  readonly recent: RecentOrderEvents;
  private readonly bus: EventBus;
  private tap?: TapHandle;

  constructor(
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly verifier: ServiceTokenVerifier,
  ) {
    this.recent = new RecentOrderEvents(config.edge.push.bufferPerCustomer, config.edge.push.bufferCustomers);
    this.bus = new ObservedEventBus(createEventBus(loadEventBusConfig(transport)), 'gateway');
  }

  /**
   * Opens the tap before the gateway serves, so a socket opened after start-up misses nothing; a bus that is not
   * reachable yet holds the start for at most SUBSCRIBE_WAIT_MS, then the gateway serves REST and the tap opens
   * when the bus is there (logged).
   */
  async onApplicationBootstrap(): Promise<void> {
    const opened = this.bus.tap(Object.keys(PUSHED), (event) => this.receive(event)).then((tap) => {
      this.tap = tap;
      this.log.log(`pushing order status events to WebSockets (a tap on the ${this.bus.name} bus)`);
      return true;
    });
    opened.catch((error: Error) => this.log.error(`cannot read order events: ${error.message}; no push`));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS)));
    const ready = await Promise.race([opened.catch(() => true), waited]);
    clearTimeout(timer);
    if (!ready) this.log.warn(`the ${this.bus.name} event bus is not reachable yet: order push starts once it is`);
  }

  /** Closes the tap (its JetStream consumer deleted), then the bus (a tap still opening is closed with it). */
  async onApplicationShutdown(): Promise<void> {
    await this.tap?.close();
    await this.bus.close();
  }

  /** Calls `listener` with every new event of `customerId` until the returned function is called. */
  listen(customerId: string, listener: Listener): () => void {
    let set = this.listeners.get(customerId);
    if (!set) this.listeners.set(customerId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(customerId) === set) this.listeners.delete(customerId);
    };
  }

  private async receive(delivered: DeliveredEvent): Promise<void> {
    const pushed = PUSHED[delivered.type];
    if (!pushed) return;
    try {
      await this.verifier.verify(bearer(delivered.metadata.authorization), {
        audience: EVENTS_AUDIENCE,
        issuer: pushed.ref.service,
        ...(delivered.publishedAt === undefined ? {} : { at: delivered.publishedAt }),
      });
    } catch (error) {
      this.log.warn(`dropped ${delivered.type} ${delivered.id}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    let body: unknown;
    try {
      body = pushed.ref.schema.parse(JSON.parse(delivered.body));
    } catch {
      this.log.warn(`dropped ${delivered.type} ${delivered.id}: its body does not match the contract`);
      return;
    }
    const { customerId, event } = pushed.toPush(body as never, delivered.id);
    // A tap delivers an event once, but the publisher may have published it twice (past the broker's window).
    if (!this.recent.add(customerId, event)) return;
    for (const listener of this.listeners.get(customerId) ?? []) listener(event);
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match?.[1];
}
