import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

const range = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + i);

export const fanOut: EventCase = {
  name: 'fan-out and competing consumers',
  define(h) {
    it('delivers every event to every subscribing service', async () => {
      const billing = new EventRecorder();
      const shipping = new EventRecorder();
      await h.startConsumer('billing', billing);
      await h.startConsumer('shipping', shipping);
      const publisher = h.publisher();
      for (const n of range(20)) await publisher.publish(n);
      await billing.waitFor(() => billing.handled().length >= 20, 15_000, 'billing to get 20 events');
      await shipping.waitFor(() => shipping.handled().length >= 20, 15_000, 'shipping to get 20 events');
      expect(billing.handled().map((d) => d.n).sort((a, b) => a - b)).toEqual(range(20));
      expect(shipping.handled().map((d) => d.n).sort((a, b) => a - b)).toEqual(range(20));
    });

    it('has the instances of one service share its events, each handled by exactly one', async () => {
      const recorder = new EventRecorder();
      const a = await h.startConsumer('billing', recorder);
      const b = await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await Promise.all(range(60).map((n) => publisher.publish(n)));
      await recorder.waitFor(() => recorder.handled().length >= 60, 15_000, '60 events');
      await new Promise((r) => setTimeout(r, 300));
      expect(recorder.deliveries.map((d) => d.n).sort((x, y) => x - y)).toEqual(range(60));
      const perInstance = (id: string) => recorder.deliveries.filter((d) => d.instance === id).length;
      expect(perInstance(a.instanceId)).toBeGreaterThan(0);
      expect(perInstance(b.instanceId)).toBeGreaterThan(0);
    });
  },
};
