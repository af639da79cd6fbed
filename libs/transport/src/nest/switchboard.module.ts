import { DynamicModule, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { ServiceContract } from '@app/contracts';
import { loadTransportConfig, TransportConfig } from '../config/transport-config';
import { createDriver } from '../driver/create-driver';
import type { TransportDriver } from '../driver/transport-driver';
import { RpcClient } from '../client/rpc-client';
import { createServiceClient } from '../client/service-client';
import type { ClientInterceptorFactory } from '../client/client-interceptor';
import { ContractValidationPipe } from '../server/contract-validation.pipe';
import { RpcErrorFilter } from '../server/rpc-error.filter';
import { HandlerCompiler } from '../server/dispatch/handler-compiler';
import { ServerWiring } from './connect-switchboard-server';
import type { EndpointSource } from '../balancer/service-endpoint';
import { clientToken, ENDPOINT_SOURCE, SERVICE_NAME, TRANSPORT_CONFIG, TRANSPORT_DRIVER } from './tokens';

export interface SwitchboardModuleOptions {
  /** The name of this app's service (`orders`), sent as the caller of its outgoing calls. */
  service: string;
  /** The services this app calls: a typed client is provided for each. */
  clients?: readonly ServiceContract[];
  /**
   * Makers of each client's interceptors, outermost first (resilience, service token, ...): a factory, or the DI
   * token of a provider that is one (e.g. SERVICE_TOKEN_INTERCEPTORS from ServiceAuthModule).
   */
  interceptors?: readonly (ClientInterceptorFactory | symbol | string)[];
  /** Overrides of the environment's settings (tests). */
  config?: Partial<TransportConfig>;
}

class DriverLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TRANSPORT_DRIVER) private readonly driver: TransportDriver) {}

  /** Runs after the microservice server closed, so replies of in-flight calls still go out. */
  async onApplicationShutdown(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * Wires an app to the transport chosen by `TRANSPORT`: one driver (and its connections) per app, a typed client
 * per target service, the error filter and the contract validation for its handlers.
 */
@Module({})
export class SwitchboardModule {
  static forService(options: SwitchboardModuleOptions): DynamicModule {
    const entries = options.interceptors ?? [];
    const injected = entries.filter((entry): entry is symbol | string => typeof entry !== 'function');
    const clientProviders: Provider[] = (options.clients ?? []).map((contract) => ({
      provide: clientToken(contract),
      inject: [TRANSPORT_DRIVER, TRANSPORT_CONFIG, ...injected],
      useFactory: (driver: TransportDriver, config: TransportConfig, ...provided: ClientInterceptorFactory[]) => {
        const factories = entries.map((entry) => (typeof entry === 'function' ? entry : provided[injected.indexOf(entry)]));
        return createServiceClient(
          contract,
          new RpcClient(driver.client(contract), {
            caller: options.service,
            timeoutMs: config.timeoutMs,
            maxPayloadBytes: config.maxPayloadBytes,
            transportName: driver.name,
            interceptors: factories.flatMap((make) => make(contract)),
          }),
        );
      },
    }));
    return {
      module: SwitchboardModule,
      global: true,
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: TRANSPORT_CONFIG, useFactory: () => loadTransportConfig(process.env, options.config, options.service) },
        {
          provide: TRANSPORT_DRIVER,
          inject: [TRANSPORT_CONFIG, { token: ENDPOINT_SOURCE, optional: true }],
          useFactory: (config: TransportConfig, endpoints?: EndpointSource) => createDriver(config, endpoints ?? undefined),
        },
        DriverLifecycle,
        HandlerCompiler,
        ServerWiring,
        { provide: APP_FILTER, useClass: RpcErrorFilter },
        { provide: APP_PIPE, useClass: ContractValidationPipe },
        ...clientProviders,
      ],
      exports: [SERVICE_NAME, TRANSPORT_CONFIG, TRANSPORT_DRIVER, HandlerCompiler, ServerWiring, ...clientProviders],
    };
  }
}
