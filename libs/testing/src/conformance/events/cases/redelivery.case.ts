import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

export const redelivery: EventCase = {
  name: 'redelivery',
  define(h) {
    it('delivers an event again after its handler failed, with growing backoff, until it succeeds', async () => {
      const recorder = new EventRecorder();
      recorder.failFirst.set(1, 2);
      await h.startConsumer('billing', recorder);
      await h.publisher().publish(1);
      await recorder.waitFor(() => recorder.of(1).length === 3, 15_000, 'three deliveries');
      const [first, second, third] = recorder.of(1);
      expect([first, second, third].map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      expect(new Set([first.eventId, second.eventId, third.eventId]).size).toBe(1);
      const gap1 = second.at - first.at;
      const gap2 = third.at - second.at;
      expect(gap1).toBeGreaterThanOrEqual(150);
      expect(gap2).toBeGreaterThanOrEqual(350);
      await new Promise((r) => setTimeout(r, 1000));
      expect(recorder.of(1)).toHaveLength(3);
    });

    it('gives an event up after maxDeliveries, and the events behind it keep flowing', async () => {
      const recorder = new EventRecorder();
      recorder.alwaysFail.add(7);
      await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await publisher.publish(7);
      for (let n = 8; n <= 12; n++) await publisher.publish(n);
      await recorder.waitFor(() => recorder.handled().length === 5, 15_000, 'the 5 good events');
      await recorder.waitFor(() => recorder.of(7).length === 3, 15_000, '3 deliveries of the poison event');
      await new Promise((r) => setTimeout(r, 2500));
      expect(recorder.of(7).map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    });

    it('does not retry an event whose payload breaks the schema', async () => {
      const recorder = new EventRecorder();
      await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await publisher.bus.publish({ id: 'bad-1', type: 'conformance.v1.Ping', body: '{"n":"not a number"}', metadata: {} });
      await publisher.bus.publish({ id: 'bad-2', type: 'conformance.v1.Ping', body: '{not json', metadata: {} });
      await publisher.publish(1);
      await recorder.waitFor(() => recorder.handled().length === 1);
      await new Promise((r) => setTimeout(r, 800));
      expect(recorder.deliveries.map((d) => d.n)).toEqual([1]);
    });
  },
};
