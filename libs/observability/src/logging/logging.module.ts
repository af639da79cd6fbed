import { LoggerModule } from 'nestjs-pino';
import { processLogger } from './process-logger';

/**
 * nestjs-pino for an app: Nest's own log lines through the process's pino logger. Its per-request middleware
 * (pino-http: two child loggers, redaction and an AsyncLocalStorage entry per request) is not installed: the line
 * per HTTP request is written by `httpTelemetry` (see `logHttpRequest`), which already knows the route, status,
 * duration and span.
 */
export function loggingModule(serviceToken: unknown) {
  return LoggerModule.forRootAsync({
    inject: [serviceToken as string],
    useFactory: (service: string) => ({
      pinoHttp: { logger: processLogger().child({ service }) },
      forRoutes: [],
    }),
  });
}
