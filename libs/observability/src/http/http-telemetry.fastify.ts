import { context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { finishHttpRequest, HttpRequestTelemetry, startHttpRequest } from './http-telemetry.middleware';

const TELEMETRY = Symbol('switchboard:http-telemetry');

type Measured = FastifyRequest & { [TELEMETRY]?: HttpRequestTelemetry };

/**
 * `httpTelemetry` on Fastify, as three hooks instead of a middleware: `onRequest` starts the request's span and
 * clock, `preHandler` (after the body is read) runs guards, pipes and the handler inside the span, `onResponse`
 * records the route (`routeOptions.url`, the same pattern as Express's `req.route.path`), status, duration and the
 * log line. No middleware engine (@fastify/middie) runs per request for it.
 */
export function installFastifyHttpTelemetry(fastify: FastifyInstance, service: string): void {
  fastify.addHook('onRequest', (request: Measured, _reply, done) => {
    const url = request.raw.url ?? '/';
    const query = url.indexOf('?');
    request[TELEMETRY] = startHttpRequest(service, request.raw.method ?? 'GET', query < 0 ? url : url.slice(0, query), request.headers);
    done();
  });
  fastify.addHook('preHandler', (request: Measured, _reply, done) => {
    const spanContext = request[TELEMETRY]?.context;
    if (spanContext) context.with(spanContext, done);
    else done();
  });
  fastify.addHook('onResponse', (request: Measured, reply, done) => {
    const measured = request[TELEMETRY];
    if (measured) {
      finishHttpRequest(measured, request.routeOptions.url ?? 'unmatched', reply.statusCode, request.raw.url ?? '/', request.headers);
    }
    done();
  });
}
