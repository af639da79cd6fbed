import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessCheck, ReadinessChecks } from './readiness-checks';

const CHECK_TIMEOUT_MS = 2000;

/**
 * `/health/live`: the process is up and its event loop answers. `/health/ready`: every readiness check holds
 * (200 `{status: "ok", info}`); otherwise 503 `{status: "error", error}` naming the failing checks.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ pid: process.pid, uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const stopping: HealthIndicatorFunction = () => {
      const session = this.indicators.check('lifecycle');
      return this.checks.stopping ? session.down({ message: 'stopping' }) : session.up();
    };
    return this.health.check([stopping, ...this.checks.entries().map(([name, check]) => this.indicator(name, check))]);
  }

  private indicator(name: string, check: ReadinessCheck): HealthIndicatorFunction {
    return async () => {
      const session = this.indicators.check(name);
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
        });
        const details = await Promise.race([Promise.resolve().then(check), timeout]);
        return session.up(details ?? {});
      } catch (error) {
        return session.down({ message: error instanceof Error ? error.message : String(error) });
      } finally {
        clearTimeout(timer);
      }
    };
  }
}
