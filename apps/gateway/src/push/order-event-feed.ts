import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENTS_AUDIENCE, ServiceTokenVerifier } from '@app/auth';
import { EventRef, OrdersEventsV1 } from '@app/contracts';
import {
  createEventBus,
  DeliveredEvent,
  EventBus,
  EventOutcome,
  loadEventBusConfig,
  SubscriptionHandle,
} from '@app/messaging';
import { TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { OrderStatusEvent, RecentOrderEvents } from './recent-order-events';

type Listener = (event: OrderStatusEvent) => void;

/** How long start-up waits for the order events subscription before serving without it (it goes on trying). */
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
 * The gateway's feed of order status changes for WebSocket push. Each gateway instance subscribes to the orders
 * events with a consumer group of its own (`gateway-push-<INSTANCE_ID>`), so every instance receives every event
 * (fan-out) and pushes it to the sockets connected to it. An event must carry a valid event token of `orders`
 * (like every consumer checks) and match its contract; anything else is dropped with a warning. Each event is
 * kept in a bounded per-customer buffer (RecentOrderEvents) for sockets that resume after a reconnect.
 *
 * The subscription starts at the events published after the instance subscribed. On JetStream and Redis Streams
 * the instance's consumer stays on the broker after it stops: give gateways a stable INSTANCE_ID so a restarted
 * one takes its own back.
 */
@Injectable()
export class OrderEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OrderPush');
  private readonly listeners = new Map<string, Set<Listener>>();
  readonly recent: RecentOrderEvents;
  private readonly bus: EventBus;
  private subscription?: SubscriptionHandle;

  constructor(
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly verifier: ServiceTokenVerifier,
  ) {
    this.recent = new RecentOrderEvents(config.edge.push.bufferPerCustomer, config.edge.push.bufferCustomers);
    this.bus = createEventBus(loadEventBusConfig(transport));
  }

  /**
   * Subscribes before the gateway serves, so a socket opened after start-up misses nothing; a bus that is not
   * reachable yet holds the start for at most SUBSCRIBE_WAIT_MS, then the gateway serves REST and the subscription
   * starts when the bus is there (logged).
   */
  async onApplicationBootstrap(): Promise<void> {
    const group = `gateway-push-${this.transport.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const subscribed = this.bus
      .subscribe({
        group,
        types: Object.keys(PUSHED),
        maxDeliveries: 3,
        retryDelayMs: () => 200,
        concurrency: 16,
        // A redelivery is not pushed twice (RecentOrderEvents keeps the ids), so a lost ack costs nothing.
        ackMode: 'plain',
        handle: (event) => this.receive(event),
      })
      .then((subscription) => {
        this.subscription = subscription;
        this.log.log(`pushing order status events to WebSockets (consumer group ${group} on the ${this.bus.name} bus)`);
        return true;
      });
    subscribed.catch((error: Error) => this.log.error(`cannot subscribe to order events: ${error.message}; no push`));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS)));
    const ready = await Promise.race([subscribed.catch(() => true), waited]);
    clearTimeout(timer);
    if (!ready) this.log.warn(`the ${this.bus.name} event bus is not reachable yet: order push starts once it is`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
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

  private async receive(delivered: DeliveredEvent): Promise<EventOutcome> {
    const pushed = PUSHED[delivered.type];
    if (!pushed) return 'ack';
    try {
      await this.verifier.verify(bearer(delivered.metadata.authorization), {
        audience: EVENTS_AUDIENCE,
        issuer: pushed.ref.service,
        ...(delivered.publishedAt === undefined ? {} : { at: delivered.publishedAt }),
      });
    } catch (error) {
      this.log.warn(`dropped ${delivered.type} ${delivered.id}: ${error instanceof Error ? error.message : String(error)}`);
      return 'ack';
    }
    let body: unknown;
    try {
      body = pushed.ref.schema.parse(JSON.parse(delivered.body));
    } catch {
      this.log.warn(`dropped ${delivered.type} ${delivered.id}: its body does not match the contract`);
      return 'ack';
    }
    const { customerId, event } = pushed.toPush(body as never, delivered.id);
    if (!this.recent.add(customerId, event)) return 'ack';
    for (const listener of this.listeners.get(customerId) ?? []) listener(event);
    return 'ack';
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match?.[1];
}
