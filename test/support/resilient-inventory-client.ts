import { JwtService } from '@nestjs/jwt';
import { InventoryV1 } from '@app/contracts';
import { loadServiceAuthConfig, readSigningKey, ServiceTokenIssuer, serviceTokenInterceptor } from '@app/auth';
import { loadResilienceConfig, Resilience } from '@app/resilience';
import { createServiceClient, RpcClient, ServiceClient, TransportDriver } from '@app/transport';

/**
 * An inventory client as orders has it: orders' service token (the development key), the resilience policies with
 * a fast retry (3 attempts, 10-50 ms), and `deadlineMs` per call. The fault and scale-out tests load it.
 */
export function resilientInventoryClient(driver: TransportDriver, deadlineMs: number): ServiceClient<typeof InventoryV1> {
  const auth = loadServiceAuthConfig('orders', { NODE_ENV: 'test' });
  const issuer = new ServiceTokenIssuer(new JwtService(), readSigningKey(auth), auth);
  const resilience = new Resilience(loadResilienceConfig({}, { retryMaxAttempts: 3, retryBaseDelayMs: 10, retryMaxDelayMs: 50 }));
  return createServiceClient(
    InventoryV1,
    new RpcClient(driver.client(InventoryV1), {
      caller: 'orders',
      timeoutMs: deadlineMs,
      maxPayloadBytes: 1_000_000,
      interceptors: [...resilience.interceptors(InventoryV1), serviceTokenInterceptor(issuer)],
    }),
  );
}
