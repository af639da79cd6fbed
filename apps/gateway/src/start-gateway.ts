import { Logger, Module } from '@nestjs/common';
import { httpPortFor, startService } from '@app/transport';
import { loadGatewayConfig } from './config/gateway-config';
import { configureEdge } from './edge/configure-edge';
import { httpAdapterFor } from './edge/http-platform';
import { GatewayModule } from './gateway.module';

/**
 * The gateway serves no contract: it only calls the services. It listens on all interfaces (HOST to change).
 * Its settings are checked before anything starts, so a bad one (or a development default in production) ends
 * the start with a message naming the variable.
 */
export async function startGateway() {
  const config = loadGatewayConfig(process.env);
  for (const name of config.defaultsInUse) {
    const what = name === 'AUTH_CLIENTS' ? 'the demo client (demo / demo-secret)' : 'the development signing key';
    new Logger('Gateway').warn(`${name} is not set: using ${what}; refused when NODE_ENV=production`);
  }
  if (config.oidc) {
    const { issuer, audience, customerClaim } = config.oidc;
    new Logger('Gateway').log(`accepting OpenID Connect tokens of ${issuer} for audience ${audience} (customer: ${customerClaim})`);
  }

  @Module({ imports: [GatewayModule.forRoot({ config })] })
  class GatewayAppModule {}

  return startService(GatewayAppModule, {
    serves: [],
    httpPort: httpPortFor('gateway'),
    httpHost: process.env.HOST ?? '0.0.0.0',
    httpAdapter: httpAdapterFor(config.edge.httpPlatform),
    configure: (app) => configureEdge(app),
  });
}
