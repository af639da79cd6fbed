import {
  BeforeApplicationShutdown,
  DynamicModule,
  Inject,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from '../health/health.controller';
import { ReadinessChecks } from '../health/readiness-checks';
import { httpSpanContext } from '../http/http-telemetry.middleware';
import { runsOnFastify } from '../http/install-http-telemetry';
import { MetricsController } from '../http/metrics.controller';
import { loggingModule } from '../logging/logging.module';
import { breakerStatesOf } from '../metrics/resilience-metrics';
import { flushLogs } from '../logging/process-logger';
import { enableCallLog } from '../logging/rpc-log';
import { enableHttpLog } from '../logging/http-log';
import { flushTracing } from '../tracing/start-tracing';

const SERVICE = Symbol('switchboard:observed-service');

/** Marks the app not ready as soon as it begins to stop, and exports the spans still buffered at the end. */
@Injectable()
class ObservabilityLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly checks: ReadinessChecks,
    @Inject(SERVICE) private readonly service: string,
  ) {}

  /**
   * Reports the circuit breakers towards the services this app calls, naming the open ones, but never fails
   * readiness for them: a breaker leaves Open only on a call, and an unready app gets no traffic, so failing here
   * would hold the app out of rotation until restarted. An open breaker already makes those calls fail fast.
   */
  onModuleInit(): void {
    enableCallLog();
    enableHttpLog();
    this.checks.add('downstream', () => {
      const breakers = breakerStatesOf(this.service);
      const open = Object.keys(breakers).filter((target) => breakers[target] === 'open' || breakers[target] === 'isolated');
      if (open.length === 0) return { breakers };
      return { breakers, open, message: `circuit open towards ${open.join(', ')}: calls to it fail fast until it closes` };
    });
  }

  beforeApplicationShutdown(): void {
    this.checks.stopping = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await flushTracing().catch(() => undefined);
    await flushLogs().catch(() => undefined);
  }
}

/**
 * An app's operational surface on its HTTP side: `/metrics` (Prometheus), `/health/live` and `/health/ready`
 * (@nestjs/terminus, over the ReadinessChecks the other libs register), and structured logs (nestjs-pino).
 * `serviceToken` is the DI token of the app's service name (SERVICE_NAME of @app/transport). Its middleware runs
 * each HTTP route inside the request's span (made by `httpTelemetry`), so the calls a route makes are its children.
 */
@Module({})
export class ObservabilityModule implements NestModule {
  constructor(@Optional() private readonly http?: HttpAdapterHost) {}

  /** On Fastify the telemetry's own `preHandler` hook does it (installFastifyHttpTelemetry): no middleware there. */
  configure(consumer: MiddlewareConsumer): void {
    if (runsOnFastify(this.http?.httpAdapter)) return;
    consumer.apply(httpSpanContext).forRoutes({ path: '*', method: RequestMethod.ALL });
  }

  static forService(options: { serviceToken: unknown }): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false }), loggingModule(options.serviceToken)],
      controllers: [MetricsController, HealthController],
      providers: [
        ReadinessChecks,
        ObservabilityLifecycle,
        { provide: SERVICE, inject: [options.serviceToken as string], useFactory: (service: string) => service },
      ],
      exports: [ReadinessChecks],
    };
  }
}
