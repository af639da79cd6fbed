import { httpPortFor, startService } from '@app/transport';
import { GatewayModule } from './gateway.module';

/** The gateway serves no contract: it only calls the services. It listens on all interfaces (HOST to change). */
export const startGateway = () =>
  startService(GatewayModule, { serves: [], httpPort: httpPortFor('gateway'), httpHost: process.env.HOST ?? '0.0.0.0' });
