import { AckPolicy, connect, StorageType } from 'nats';
import type { EventConsumer, EventJob, EventPublisher, EventStack } from '../event-stack';

const stream = (job: EventJob) => `${job.namespace}-raw`;
const subject = (job: EventJob) => `${job.namespace}.raw.pinged`;

/** nats.js JetStream: a file-backed stream, a durable pull consumer with explicit ack, `consume()` with a buffer. */
export const rawJetStream: EventStack = {
  async consume(job, onEvent): Promise<EventConsumer> {
    const nc = await connect({ servers: job.natsUrl, noAsyncTraces: true });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream(job), subjects: [subject(job)], storage: StorageType.File });
    await jsm.consumers.add(stream(job), { durable_name: 'bench', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
    const consumer = await nc.jetstream().consumers.get(stream(job), 'bench');
    const messages = await consumer.consume({ max_messages: Math.max(64, job.concurrency * 2) });
    void (async () => {
      for await (const message of messages) {
        onEvent(message.string());
        message.ack();
      }
    })();
    return {
      async close() {
        await messages.close();
        await nc.drain();
      },
    };
  },

  async publisher(job): Promise<EventPublisher> {
    const nc = await connect({ servers: job.natsUrl, noAsyncTraces: true });
    const js = nc.jetstream();
    const target = subject(job);
    return {
      publish: async (body) => {
        await js.publish(target, Buffer.from(body));
      },
      close: () => nc.drain(),
    };
  },
};
