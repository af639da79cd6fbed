import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

const range = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + i);
const sorted = (recorder: EventRecorder) => [...new Set(recorder.handled().map((d) => d.n))].sort((a, b) => a - b);

export const consumerRestart: EventCase = {
  name: 'consumer restart',
  define(h) {
    it('keeps the events published while a service was down, and delivers them when it is back', async () => {
      const recorder = new EventRecorder();
      const first = await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await publisher.publish(1);
      await recorder.waitFor(() => recorder.handled().length === 1);
      await first.close();
      for (const n of range(20, 2)) await publisher.publish(n);
      await h.startConsumer('billing', recorder);
      await recorder.waitFor(() => sorted(recorder).length === 21, 20_000, 'all 21 events');
      expect(sorted(recorder)).toEqual(range(21));
    });

    it('publishes an id once: the same event id twice is one delivery', async () => {
      const recorder = new EventRecorder();
      await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await publisher.publish(1, { id: 'same-id' });
      await publisher.publish(1, { id: 'same-id' });
      await publisher.publish(2);
      await recorder.waitFor(() => recorder.handled().length === 2);
      await new Promise((r) => setTimeout(r, 500));
      expect(recorder.deliveries.map((d) => d.n).sort()).toEqual([1, 2]);
    });
  },
};

export const brokerRestart: EventCase = {
  name: 'broker restart',
  requires: ['brokered'],
  define(h) {
    it('loses no event across a broker kill -9 and restart', async () => {
      const recorder = new EventRecorder();
      const consumer = await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      for (const n of range(5)) await publisher.publish(n);
      await recorder.waitFor(() => sorted(recorder).length === 5);
      await consumer.close();
      for (const n of range(5, 6)) await publisher.publish(n);

      await h.fixture.stopBroker();
      await h.fixture.startBroker();

      await h.startConsumer('billing', recorder);
      const until = Date.now() + 20_000;
      for (const n of range(5, 11)) {
        for (;;) {
          try {
            await publisher.publish(n);
            break;
          } catch (error) {
            if (Date.now() > until) throw error;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }
      await recorder.waitFor(() => sorted(recorder).length === 15, 30_000, 'all 15 events');
      expect(sorted(recorder)).toEqual(range(15));
    });
  },
};

export const expiringEvents: EventCase = {
  name: 'event expiry',
  define(h) {
    it('handles expiring work in time, and dead-letters it instead of handling it late', async () => {
      const recorder = new EventRecorder();
      const first = await h.startConsumer('billing', recorder);
      const publisher = h.publisher();
      await publisher.publishExpiring(1);
      await recorder.waitFor(() => recorder.handled().length === 1, 10_000, 'the timely expiring event');
      await first.close();

      await publisher.publishExpiring(2);
      await publisher.publish(3);
      await new Promise((r) => setTimeout(r, 600));
      await h.startConsumer('billing', recorder);
      await recorder.waitFor(() => recorder.handled().length === 2, 15_000, 'the event that does not expire');
      await new Promise((r) => setTimeout(r, 500));
      expect(recorder.deliveries.map((d) => d.n).sort()).toEqual([1, 3]);
    });
  },
};
