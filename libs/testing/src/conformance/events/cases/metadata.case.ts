import { CallContext, MetadataKey } from '@app/transport';
import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

export const eventMetadata: EventCase = {
  name: 'event metadata',
  define(h) {
    it('carries the event id, the correlation id and trace context of the publishing call, and the caller token slot', async () => {
      const recorder = new EventRecorder();
      await h.startConsumer('audit', recorder);
      const publisher = h.publisher();
      const parent = new CallContext('orders.v1.PlaceOrder', 'memory', {
        [MetadataKey.correlationId]: 'corr-evt-1',
        [MetadataKey.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      const id = await parent.run(() =>
        publisher.publish(1, { metadata: { [MetadataKey.authorization]: 'Bearer service.token.here' } }),
      );
      await recorder.waitFor(() => recorder.deliveries.length === 1);
      expect(recorder.deliveries[0]).toMatchObject({
        n: 1,
        eventId: id,
        deliveryCount: 1,
        correlationId: 'corr-evt-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        callerToken: 'service.token.here',
      });
      expect(recorder.deliveries[0].metadata[MetadataKey.caller]).toBe('conformance-publisher');
    });

    it('refuses to publish a payload that breaks the event schema', async () => {
      const publisher = h.publisher();
      await expect(publisher.publish(1.5)).rejects.toMatchObject({ code: 3 });
    });
  },
};
