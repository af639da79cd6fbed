import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { InventoryV1, NotificationsV1, OrdersV1, OrdersV2, PaymentsV1 } from '@app/contracts';
import { SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule, ServiceAuthOptions } from '@app/auth';
import { Resilience } from '@app/resilience';
import { DiscoveryModule } from '@app/discovery';
import { SwitchboardModule, TransportConfig } from '@app/transport';
import { AccessTokenService, jwtOptions } from './auth/access-token.service';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { BearerTokenVerifier } from './auth/bearer-token-verifier';
import { ClientRegistry } from './auth/client-registry';
import { TokenController } from './auth/token.controller';
import { GATEWAY_CONFIG, GatewayConfig } from './config/gateway-config';
import { IDEMPOTENCY_PROVIDERS } from './idempotency/idempotency-keys';
import { BODY_PARSING } from './http/body-parsing';
import { InventoryHttpController } from './http/inventory.http-controller';
import { HealthHttpController } from './http/health.http-controller';
import { OrderSummaryHttpController } from './http/order-summary.http-controller';
import { OrdersHttpController } from './http/orders.http-controller';
import { OrdersV2HttpController } from './http/orders-v2.http-controller';
import { LivePageController } from './live/live-page.controller';
import { OrderEventFeed } from './push/order-event-feed';
import { OrderEventsWsGateway } from './push/order-events.ws-gateway';
import { RATE_LIMIT_PROVIDERS } from './rate-limit/rate-limit.providers';

export interface GatewayModuleOptions {
  /** The gateway's settings, loaded (and checked) before the app is built: `loadGatewayConfig(process.env)`. */
  config: GatewayConfig;
  /** Overrides of the transport settings from the environment (tests: their own memory broker). */
  transport?: Partial<TransportConfig>;
  /** Overrides of the service-identity settings (tests). */
  serviceAuth?: ServiceAuthOptions;
  /** Retry, breaker and bulkhead of the gateway's clients (default: from the environment). */
  resilience?: Resilience;
}

/**
 * The HTTP edge: client authentication (`POST /v1/auth/token`, or tokens of an OpenID Connect provider), versioned
 * REST (/v1, /v2) in front of the services over the configured transport, the order summary, rate limits, order
 * status push over a WebSocket, the health view and the live page. The app must be set up with `configureEdge`
 * before it listens (WebSocket adapter, error shape, security headers, OpenAPI).
 */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceAuthModule.forService({ service: 'gateway', config: options.serviceAuth }),
        DiscoveryModule.forRoot(),
        SwitchboardModule.forService({
          service: 'gateway',
          clients: [OrdersV1, OrdersV2, InventoryV1, PaymentsV1, NotificationsV1],
          config: options.transport,
          interceptors: [(options.resilience ?? new Resilience()).interceptors, SERVICE_TOKEN_INTERCEPTORS],
        }),
        JwtModule.register(jwtOptions(options.config)),
      ],
      controllers: [
        TokenController,
        InventoryHttpController,
        OrdersHttpController,
        OrderSummaryHttpController,
        OrdersV2HttpController,
        HealthHttpController,
        LivePageController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: options.config },
        BODY_PARSING,
        ClientRegistry,
        AccessTokenService,
        BearerTokenVerifier,
        BearerAuthGuard,
        ...IDEMPOTENCY_PROVIDERS,
        ...RATE_LIMIT_PROVIDERS,
        OrderEventFeed,
        OrderEventsWsGateway,
      ],
    };
  }
}
