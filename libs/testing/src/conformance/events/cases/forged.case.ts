import { JwtService } from '@nestjs/jwt';
import { eventTokenStamp, loadServiceAuthConfig, readSigningKey, ServiceAuthModule, ServiceTokenIssuer } from '@app/auth';
import { MetadataKey } from '@app/transport';
import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

/** Development (HS256) service auth shared by the publisher and the consumer of this case. */
const SECRET = { secret: 'event-conformance-shared-secret-0123456789', extraGrants: { intruder: { audit: [] }, conformance: { audit: [] } } };
const issuer = (service: string) => {
  const config = loadServiceAuthConfig(service, {}, SECRET);
  return new ServiceTokenIssuer(new JwtService(), readSigningKey(config), config);
};

export const forgedEvents: EventCase = {
  name: 'forged events',
  define(h) {
    it('rejects an event put on the bus without a valid token from its publishing service; no side effect, no retry', async () => {
      const recorder = new EventRecorder();
      await h.startConsumer('audit', recorder, [ServiceAuthModule.forService({ service: 'audit', config: SECRET })]);
      const genuine = h.publisher([eventTokenStamp(issuer('conformance'))]);
      const unsigned = h.publisher();
      const wrongIssuer = h.publisher([eventTokenStamp(issuer('intruder'))]);

      await unsigned.publish(1);
      await wrongIssuer.publish(2);
      await unsigned.publish(3, { metadata: { [MetadataKey.authorization]: 'Bearer forged.token.value' } });
      await genuine.publish(4);

      await recorder.waitFor(() => recorder.deliveries.length >= 1, 15_000, 'the genuine event');
      await new Promise((r) => setTimeout(r, 1000));
      expect(recorder.deliveries.map((d) => d.n)).toEqual([4]);
    });
  },
};
