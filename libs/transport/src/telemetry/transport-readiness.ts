import type { INestApplication } from '@nestjs/common';
import { ReadinessChecks } from '@app/observability';
import type { TransportDriver } from '../driver/transport-driver';
import { TRANSPORT_DRIVER } from '../nest/tokens';

/** Adds the transport's readiness (its broker connection, where it has one) to the app's `/health/ready`. */
export function watchTransportReadiness(app: INestApplication): void {
  const driver = app.get<TransportDriver>(TRANSPORT_DRIVER);
  app.get(ReadinessChecks).add('transport', () => {
    driver.checkReady?.();
    return { transport: driver.name };
  });
}
