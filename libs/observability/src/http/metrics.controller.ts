import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry } from '../metrics/metrics-registry';

/** `/metrics` in the Prometheus text format. */
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
