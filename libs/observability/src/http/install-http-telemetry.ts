import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { installFastifyHttpTelemetry } from './http-telemetry.fastify';
import { httpTelemetry } from './http-telemetry.middleware';

/**
 * Installs the HTTP telemetry (span, duration metric, log line per request) on an app's HTTP side, whichever
 * platform Nest runs on: the `httpTelemetry` middleware on Express, hooks on Fastify.
 */
export function installHttpTelemetry(app: INestApplication, service: string): void {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') installFastifyHttpTelemetry(adapter.getInstance() as FastifyInstance, service);
  else app.use(httpTelemetry(service));
}

/** Whether an app runs on Fastify, whose telemetry hooks already run each route inside its span. */
export const runsOnFastify = (adapter: { getType(): string } | undefined): boolean => adapter?.getType() === 'fastify';
