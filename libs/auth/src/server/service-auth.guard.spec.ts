import { Controller, Get, INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PaymentsV1, RequestOf } from '@app/contracts';
import {
  CallContext,
  createDriver,
  createServiceClient,
  loadTransportConfig,
  MemoryBroker,
  RpcClient,
  Rpc,
  ServiceClient,
  StatusCode,
  SwitchboardModule,
  connectSwitchboardServer,
  TransportDriver,
} from '@app/transport';
import { serviceTokenInterceptor } from '../client/service-token.interceptor';
import { ServiceAuthModule } from '../nest/service-auth.module';
import { SERVICE_TOKEN_INTERCEPTORS } from '../nest/tokens';
import { AuthFixture, claims, handMadeToken } from '../testing/auth-fixture';
import { CaptureLogger } from '../testing/capture-logger';
import type { CallerIdentity } from '../token/service-token-claims';
import { ServiceTokenIssuer } from '../token/service-token-issuer';
import type { ClientInterceptorFactory } from '@app/transport';
import { callerIdentity } from './caller-identity';
import { RequireScopes } from './require-scopes.decorator';

const M = PaymentsV1.methods;

@Injectable()
class Recorder {
  readonly calls: { method: string; caller?: CallerIdentity }[] = [];
}

const payment = (orderId: string) => ({ paymentId: `p-${orderId}`, orderId, amountCents: 100, currency: 'EUR', status: 'CAPTURED' as const });

/** payments.v1 with the scopes the real handlers should declare. */
@Controller()
class GuardedPaymentsController {
  constructor(private readonly recorder: Recorder) {}

  @Rpc(M.charge)
  @RequireScopes('payments:charge')
  charge(request: RequestOf<typeof M.charge>, ctx: CallContext) {
    this.recorder.calls.push({ method: 'charge', caller: callerIdentity(ctx) });
    return payment(request.orderId);
  }

  @Rpc(M.refund)
  @RequireScopes('payments:refund')
  refund(request: RequestOf<typeof M.refund>) {
    this.recorder.calls.push({ method: 'refund', caller: callerIdentity() });
    return { ...payment(request.orderId), status: 'REFUNDED' as const };
  }

  @Rpc(M.getPayment)
  @RequireScopes('payments:read')
  getPayment(request: RequestOf<typeof M.getPayment>) {
    this.recorder.calls.push({ method: 'getPayment', caller: callerIdentity() });
    return payment(request.orderId);
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

describe('ServiceAuthGuard on a Nest microservice (memory transport)', () => {
  const fixture = new AuthFixture(['orders', 'payments', 'notifications', 'gateway', 'inventory']);
  const transport = loadTransportConfig({ TRANSPORT: 'memory' }, { memoryBroker: new MemoryBroker(), instanceId: 'payments-1', timeoutMs: 3000 });
  const logs = new CaptureLogger();
  let server: INestApplication;
  let ordersApp: INestApplication | undefined;
  let driver: TransportDriver;
  let recorder: Recorder;

  beforeAll(async () => {
    @Module({
      imports: [
        SwitchboardModule.forService({ service: 'payments', config: transport }),
        ServiceAuthModule.forService({ service: 'payments', config: fixture.options('payments') }),
      ],
      controllers: [GuardedPaymentsController],
      providers: [Recorder],
    })
    class PaymentsTestModule {}

    server = await NestFactory.create(PaymentsTestModule, { logger: logs, abortOnError: false });
    connectSwitchboardServer(server, [PaymentsV1]);
    await server.startAllMicroservices();
    await server.listen(0, '127.0.0.1');
    recorder = server.get(Recorder);
    driver = createDriver(transport);
  });

  afterAll(async () => {
    await ordersApp?.close();
    await server.close();
    await driver.close();
    fixture.stop();
  });

  beforeEach(() => recorder.calls.splice(0));

  const client = (caller: string, interceptors: ClientInterceptorFactory[] = []): ServiceClient<typeof PaymentsV1> =>
    createServiceClient(
      PaymentsV1,
      new RpcClient(driver.client(PaymentsV1), {
        caller,
        timeoutMs: 3000,
        maxPayloadBytes: 1_000_000,
        interceptors: interceptors.flatMap((make) => make(PaymentsV1)),
      }),
    );
  const withToken = (service: string) => client(service, [() => [serviceTokenInterceptor(fixture.issuer(service))]]);
  const charge = { orderId: 'o-1', amountCents: 100, currency: 'EUR', paymentMethod: 'visa' };
  const bearer = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

  it('runs the handler for a caller with a valid token and the scope, and tells it who called', async () => {
    @Module({ imports: [ServiceAuthModule.forService({ service: 'orders', config: fixture.options('orders') })] })
    class OrdersAuthModule {}
    ordersApp = await NestFactory.create(OrdersAuthModule, { logger: logs, abortOnError: false });
    await ordersApp.init();
    const orders = client('orders', [ordersApp.get<ClientInterceptorFactory>(SERVICE_TOKEN_INTERCEPTORS)]);

    await expect(orders.charge(charge)).resolves.toMatchObject({ orderId: 'o-1', status: 'CAPTURED' });
    await expect(orders.getPayment({ orderId: 'o-1' })).resolves.toMatchObject({ orderId: 'o-1' });
    const scopes = ['payments:charge', 'payments:refund', 'payments:read'];
    expect(recorder.calls).toEqual([
      { method: 'charge', caller: { service: 'orders', scopes } },
      { method: 'getPayment', caller: { service: 'orders', scopes } },
    ]);
    expect(ordersApp.get(ServiceTokenIssuer).service).toBe('orders');
  });

  it('answers PERMISSION_DENIED to a caller without the scope: notifications may not call payments.Charge', async () => {
    await expect(withToken('notifications').charge(charge)).rejects.toMatchObject({
      code: StatusCode.PERMISSION_DENIED,
      message: 'notifications may not call payments.v1.Charge: missing scope payments:charge',
    });
    await expect(withToken('gateway').charge(charge)).rejects.toMatchObject({ code: StatusCode.PERMISSION_DENIED });
    await expect(withToken('gateway').getPayment({ orderId: 'o-2' })).resolves.toMatchObject({ orderId: 'o-2' });
    expect(recorder.calls.map((c) => c.method)).toEqual(['getPayment']);
  });

  it('answers UNAUTHENTICATED, without running the handler, to a missing, malformed, expired, misaddressed or unsigned token', async () => {
    const orders = fixture.keys.orders;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<unknown>, RegExp][] = [
      ['missing', client('orders').charge(charge), /missing service token/],
      ['not bearer', client('orders').charge(charge, { metadata: { authorization: 'Basic b3JkZXJzOnNlY3JldA==' } }), /malformed/],
      ['garbage', client('orders').charge(charge, bearer('not-a-jwt')), /malformed service token/],
      [
        'expired',
        client('orders').charge(charge, bearer(handMadeToken({ alg: 'RS256', kid: orders.kid }, claims('orders', 'payments', { iat: now - 200, nbf: now - 200, exp: now - 100 }), { rsa: orders }))),
        /service token expired/,
      ],
      ['wrong audience', client('orders').charge(charge, bearer(fixture.issuer('orders').tokenFor('inventory'))), /another audience: expected payments/],
      ['alg none', client('orders').charge(charge, bearer(handMadeToken({ alg: 'none', kid: orders.kid }, claims('orders', 'payments', { scope: 'payments:charge' }), 'unsigned'))), /algorithm/],
      [
        'HS256 with the public key',
        client('orders').charge(charge, bearer(handMadeToken({ alg: 'HS256', kid: orders.kid }, claims('orders', 'payments', { scope: 'payments:charge' }), { hmac: orders.publicKeyPem }))),
        /algorithm/,
      ],
    ];
    for (const [name, call, message] of cases) {
      const error = await call.then(() => new Error(`${name}: accepted`), (e: unknown) => e);
      expect({ name, error }).toMatchObject({ name, error: { code: StatusCode.UNAUTHENTICATED, message: expect.stringMatching(message) } });
    }
    expect(recorder.calls).toEqual([]);
  });

  it('never puts the token in an error or a log line (canary)', async () => {
    const canary = 'CANARY-do-not-log-0123456789abcdef';
    const forged = handMadeToken({ alg: 'RS256', kid: 'orders:k1' }, claims('orders', 'payments', { canary }), { rsa: fixture.keys.notifications });
    const payload = forged.split('.')[1];
    const error = await client('orders').charge(charge, bearer(forged)).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: StatusCode.UNAUTHENTICATED, message: 'payments.v1.Charge: service token signature is invalid' });
    expect(JSON.stringify(error)).not.toContain(payload);
    expect(logs.text).not.toContain(payload);
    expect(logs.text).not.toContain(canary);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text).not.toMatch(/eyJ[\w-]{10,}/);
  });

  it('lets HTTP requests through: the gateway authenticates its own clients', async () => {
    const response = await fetch(`${await server.getUrl()}/health`);
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ status: 'ok' });
  });
});
