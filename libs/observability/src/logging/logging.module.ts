import type { IncomingMessage, ServerResponse } from 'node:http';
import { Context, isSpanContextValid, trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { HTTP_TRACE_CONTEXT } from '../http/http-telemetry.middleware';
import { processLogger } from './process-logger';

const QUIET = /^\/(metrics|health)(\/|\?|$)/;

/**
 * nestjs-pino for an app: Nest's own log lines and one line per HTTP request (method, path without the query
 * string, status, duration, correlation id, trace and span ids), through the process's pino logger.
 */
export function loggingModule(serviceToken: unknown) {
  return LoggerModule.forRootAsync({
    inject: [serviceToken as string],
    useFactory: (service: string) => ({
      pinoHttp: {
        logger: processLogger().child({ service }),
        autoLogging: { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') },
        customProps: (req: IncomingMessage) => {
          const spanContext = (req as unknown as Record<symbol, Context | undefined>)[HTTP_TRACE_CONTEXT];
          const span = spanContext && trace.getSpan(spanContext)?.spanContext();
          const correlation = req.headers['x-correlation-id'];
          return {
            correlation_id: typeof correlation === 'string' ? correlation : undefined,
            ...(span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {}),
          };
        },
        serializers: {
          req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
          res: (res: ServerResponse | { statusCode?: number }) => ({ statusCode: res.statusCode }),
        },
      },
    }),
  });
}
