import { INestApplication, Logger, Module, Type } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { installHttpTelemetry, ObservabilityModule } from '@app/observability';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { ServiceContract } from '@app/contracts';
import { connectSwitchboardServer } from './connect-switchboard-server';
import { watchTransportReadiness } from '../telemetry/transport-readiness';
import { SERVICE_NAME } from './tokens';
import { armedCrashPoints } from '../faults/crash-point';

export interface StartServiceOptions {
  /** The contracts this app serves (all of one service). Empty for an app that only calls others. */
  serves: readonly ServiceContract[];
  /** Port of the app's HTTP side (health, metrics, REST for the gateway). */
  httpPort: number;
  httpHost?: string;
  /** The HTTP platform under Nest (the gateway: Express or Fastify by HTTP_PLATFORM); default Nest's Express. */
  httpAdapter?: AbstractHttpAdapter;
  /** More Nest strategies to run beside the RPC server, e.g. `eventConsumer` from @app/messaging. */
  consumers?: readonly ((app: INestApplication) => CustomTransportStrategy)[];
  /** Work on the app after it is created and before it listens (the gateway: WebSocket adapter, OpenAPI, CORS). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts an app: its HTTP side and, when it serves contracts, the Switchboard microservice on the transport
 * chosen by `TRANSPORT`. Resolves once both accept calls; SIGTERM/SIGINT close it gracefully. The HTTP side also
 * serves `/metrics`, `/health/live` and `/health/ready`, traces each request, and logs through pino.
 */
export async function startService(module: Type<unknown>, options: StartServiceOptions): Promise<INestApplication> {
  armedCrashPoints(); // a bad CRASH_POINT (or one in production) stops the app here, not at the point
  @Module({ imports: [module, ObservabilityModule.forService({ serviceToken: SERVICE_NAME })] })
  class ObservedApp {}

  const app = options.httpAdapter
    ? await NestFactory.create(ObservedApp, options.httpAdapter, { bufferLogs: true })
    : await NestFactory.create(ObservedApp, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  installHttpTelemetry(app, app.get<string>(SERVICE_NAME));
  app.enableShutdownHooks();
  watchTransportReadiness(app);
  await options.configure?.(app);
  if (options.serves.length > 0) connectSwitchboardServer(app, options.serves);
  for (const consumer of options.consumers ?? []) {
    app.connectMicroservice({ strategy: consumer(app) }, { inheritAppConfig: true });
  }
  // Providers initialise (onModuleInit: databases, seeds) before the first call or event can arrive: Nest would
  // otherwise only do it in `listen`, after the microservices already take work.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(options.httpPort, options.httpHost ?? process.env.HOST ?? '127.0.0.1');
  new Logger('Switchboard').log(`HTTP on ${await app.getUrl()}`);
  return app;
}
