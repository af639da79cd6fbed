import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { InventoryV1, NotificationsV1, OrdersV1, PaymentsV1 } from '@app/contracts';
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
import { OrdersHttpController } from './http/orders.http-controller';

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
 * The HTTP edge: client authentication (`POST /v1/auth/token`, or tokens of an OpenID Connect provider), and REST
 * in front of the services, calling them over the configured transport.
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
          clients: [OrdersV1, InventoryV1, PaymentsV1, NotificationsV1],
          config: options.transport,
          interceptors: [(options.resilience ?? new Resilience()).interceptors, SERVICE_TOKEN_INTERCEPTORS],
        }),
        JwtModule.register(jwtOptions(options.config)),
      ],
      controllers: [TokenController, InventoryHttpController, OrdersHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: options.config },
        BODY_PARSING,
        ClientRegistry,
        AccessTokenService,
        BearerTokenVerifier,
        BearerAuthGuard,
        ...IDEMPOTENCY_PROVIDERS,
      ],
    };
  }
}
