import { Controller, INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { randomUUID } from 'node:crypto';
import { EventOf, OrdersEventsV1 } from '@app/contracts';
import { EVENT_BUS, EventBus, eventConsumer, EventContext, MemoryEventBroker, MessagingModule, OnEvent } from '@app/messaging';
import { loadTransportConfig, MemoryBroker, Metadata, SwitchboardModule } from '@app/transport';
import { eventTokenStamp } from '../client/event-token.stamp';
import { ServiceAuthModule } from '../nest/service-auth.module';
import { ServiceTokenVerifier } from '../token/service-token-verifier';
import { ServiceAuthGuard } from './service-auth.guard';
import { AuthFixture, claims, handMadeToken } from '../testing/auth-fixture';
import { CaptureLogger } from '../testing/capture-logger';
import { CallerIdentity, EVENTS_AUDIENCE } from '../token/service-token-claims';
import { callerIdentity } from './caller-identity';

@Injectable()
class Handled {
  readonly events: { id: string; caller?: CallerIdentity }[] = [];
}

@Controller()
class OrderEventsController {
  constructor(private readonly handled: Handled) {}

  @OnEvent(OrdersEventsV1.orderConfirmed)
  confirmed(_event: EventOf<typeof OrdersEventsV1.orderConfirmed>, ctx: EventContext) {
    this.handled.events.push({ id: ctx.eventId, caller: callerIdentity(ctx) });
  }
}

describe('ServiceAuthGuard on event handlers (memory event bus)', () => {
  const fixture = new AuthFixture(['orders', 'inventory', 'notifications']);
  const logs = new CaptureLogger();
  let app: INestApplication;
  let bus: EventBus;
  let handled: Handled;

  beforeAll(async () => {
    const transport = loadTransportConfig({ TRANSPORT: 'memory' }, { memoryBroker: new MemoryBroker(), instanceId: 'notifications-1' });
    @Module({
      imports: [
        SwitchboardModule.forService({ service: 'notifications', config: transport }),
        MessagingModule.forService({ config: { bus: 'memory', memoryBroker: new MemoryEventBroker(), maxDeliveries: 1 } }),
        ServiceAuthModule.forService({ service: 'notifications', config: fixture.options('notifications') }),
      ],
      controllers: [OrderEventsController],
      providers: [Handled],
    })
    class NotificationsTestModule {}
    app = await NestFactory.create(NotificationsTestModule, { logger: logs, abortOnError: false });
    app.connectMicroservice({ strategy: eventConsumer(app) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    bus = app.get(EVENT_BUS);
    handled = app.get(Handled);
  });

  afterAll(async () => {
    await app.close();
    fixture.stop();
  });

  const publish = async (metadata: Metadata) => {
    const id = randomUUID();
    const body = { orderId: 'o-1', customerId: 'c-1', totalCents: 100, confirmedAt: new Date().toISOString() };
    await bus.publish({ id, type: OrdersEventsV1.orderConfirmed.type, body: JSON.stringify(body), metadata });
    return id;
  };

  it('handles an event whose token the publishing service minted for `events`, and refuses forged ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const canary = 'CANARY-event-token-0123456789';
    const canaryToken = handMadeToken({ alg: 'RS256', kid: 'orders:k1' }, claims('orders', EVENTS_AUDIENCE, { canary }), { rsa: fixture.keys.inventory });
    const forged: Metadata[] = [
      {},
      { authorization: fixture.issuer('inventory').authorizationFor(EVENTS_AUDIENCE) },
      { authorization: fixture.issuer('orders').authorizationFor('notifications') },
      { authorization: `Bearer ${handMadeToken({ alg: 'none', kid: 'orders:k1' }, claims('orders', EVENTS_AUDIENCE), 'unsigned')}` },
      { authorization: `Bearer ${handMadeToken({ alg: 'RS256', kid: 'orders:k1' }, claims('orders', EVENTS_AUDIENCE, { iat: now - 200, nbf: now - 200, exp: now - 100 }), { rsa: fixture.keys.orders })}` },
      { authorization: `Bearer ${canaryToken}` },
    ];
    for (const metadata of forged) await publish(metadata);
    const genuine = await publish(eventTokenStamp(fixture.issuer('orders'))({ 'x-correlation-id': 'c-1' }));

    await waitFor(() => handled.events.length > 0 && logs.lines.filter((l) => l.includes('dead letter')).length >= forged.length);
    expect(handled.events).toEqual([
      { id: genuine, caller: { service: 'orders', scopes: [] } },
    ]);
    const deadLetters = logs.lines.filter((l) => l.includes('dead letter'));
    expect(deadLetters).toHaveLength(forged.length);
    expect(deadLetters.join('\n')).toMatch(/UNAUTHENTICATED orders\.v1\.OrderConfirmed: missing service token/);
    expect(deadLetters.join('\n')).toMatch(/service token issuer did not publish this event type/);
    expect(deadLetters.join('\n')).toMatch(/service token is for another audience: expected events/);
    expect(logs.text).not.toContain(canary);
    expect(logs.text).not.toContain(canaryToken.split('.')[1]);
    expect(logs.text).not.toMatch(/eyJ[\w-]{10,}/);
  });

  it('checks an event token at the time the bus stored the event, when its context tells (publishedAt)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = handMadeToken({ alg: 'RS256', kid: 'orders:k1' }, claims('orders', EVENTS_AUDIENCE, { iat: now - 200, nbf: now - 200, exp: now - 140 }), {
      rsa: fixture.keys.orders,
    });
    const guard = new ServiceAuthGuard(app.get(ServiceTokenVerifier), new Reflector(), { service: 'notifications' });
    const handler = OrderEventsController.prototype.confirmed;
    const contextOf = (ctx: EventContext) => {
      const host = new ExecutionContextHost([{}, ctx], OrderEventsController, handler);
      host.setType('rpc');
      return host;
    };
    const event = (publishedAt?: number) =>
      Object.assign(new EventContext(randomUUID(), OrdersEventsV1.orderConfirmed, OrdersEventsV1.orderConfirmed.type, 'memory', { authorization: `Bearer ${token}` }, 2), { publishedAt });
    await expect(guard.canActivate(contextOf(event((now - 150) * 1000)))).resolves.toBe(true);
    await expect(guard.canActivate(contextOf(event((now - 100) * 1000)))).rejects.toThrow(/service token expired/);
    await expect(guard.canActivate(contextOf(event()))).rejects.toThrow(/service token expired/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
