import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { eventTokenStamp } from '../client/event-token.stamp';
import { serviceTokenInterceptors } from '../client/service-token.interceptor';
import { loadServiceAuthConfig, ServiceAuthOptions } from '../config/service-auth-config';
import { createVerificationKeys } from '../keys/create-verification-keys';
import { readSigningKey } from '../keys/signing-key';
import { ServiceAuthGuard } from '../server/service-auth.guard';
import { ServiceTokenIssuer } from '../token/service-token-issuer';
import { ServiceTokenVerifier } from '../token/service-token-verifier';
import { ServiceAuthStartup } from './service-auth-startup';
import { EVENT_TOKEN_STAMP, SERVICE_AUTH_CONFIG, SERVICE_JWT, SERVICE_TOKEN_INTERCEPTORS, SIGNING_KEY, VERIFICATION_KEYS } from './tokens';

export interface ServiceAuthModuleOptions {
  /** This app's service: the issuer of its tokens and the audience it accepts. */
  service: string;
  /** Overrides of the environment's settings (tests, the one-process system app). */
  config?: ServiceAuthOptions;
}

/**
 * Service identity for an app: reads its keys (a bad or, in production, missing setting stops the start),
 * provides the ServiceTokenIssuer, SERVICE_TOKEN_INTERCEPTORS (a ClientInterceptorFactory for SwitchboardModule's
 * clients) and EVENT_TOKEN_STAMP (for the events it publishes), and guards every RPC and event handler with
 * ServiceAuthGuard (APP_GUARD).
 */
@Module({})
export class ServiceAuthModule {
  static forService(options: ServiceAuthModuleOptions): DynamicModule {
    return {
      module: ServiceAuthModule,
      global: true,
      providers: [
        { provide: SERVICE_AUTH_CONFIG, useFactory: () => loadServiceAuthConfig(options.service, process.env, options.config) },
        { provide: SERVICE_JWT, useFactory: () => new JwtService() },
        { provide: SIGNING_KEY, inject: [SERVICE_AUTH_CONFIG], useFactory: readSigningKey },
        { provide: VERIFICATION_KEYS, inject: [SERVICE_AUTH_CONFIG], useFactory: createVerificationKeys },
        ServiceTokenIssuer,
        ServiceTokenVerifier,
        { provide: SERVICE_TOKEN_INTERCEPTORS, inject: [ServiceTokenIssuer], useFactory: serviceTokenInterceptors },
        { provide: EVENT_TOKEN_STAMP, inject: [ServiceTokenIssuer], useFactory: eventTokenStamp },
        { provide: APP_GUARD, useClass: ServiceAuthGuard },
        ServiceAuthStartup,
      ],
      exports: [SERVICE_AUTH_CONFIG, ServiceTokenIssuer, ServiceTokenVerifier, SERVICE_TOKEN_INTERCEPTORS, EVENT_TOKEN_STAMP],
    };
  }
}
