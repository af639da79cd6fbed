import Redis from 'ioredis';
import type { EventConsumer, EventJob, EventPublisher, EventStack } from '../event-stack';

const key = (job: EventJob) => `${job.namespace}:raw:events`;

/** ioredis on Redis Streams: XADD; a consumer group read with XREADGROUP (blocking, batched) and XACK per batch. */
export const rawRedisStreams: EventStack = {
  async consume(job, onEvent): Promise<EventConsumer> {
    const redis = new Redis(job.redisUrl);
    const acker = new Redis(job.redisUrl);
    await redis.xgroup('CREATE', key(job), 'bench', '$', 'MKSTREAM');
    let running = true;
    const loop = (async () => {
      while (running) {
        const batch = (await redis.xreadgroup('GROUP', 'bench', 'c1', 'COUNT', Math.max(64, job.concurrency), 'BLOCK', 200, 'STREAMS', key(job), '>')) as
          | [string, [string, string[]][]][]
          | null;
        if (!batch) continue;
        const entries = batch[0][1];
        for (const [, fields] of entries) onEvent(fields[1]);
        await acker.xack(key(job), 'bench', ...entries.map(([id]) => id));
      }
    })();
    return {
      async close() {
        running = false;
        await loop.catch(() => undefined);
        redis.disconnect();
        acker.disconnect();
      },
    };
  },

  async publisher(job): Promise<EventPublisher> {
    const redis = new Redis(job.redisUrl);
    const target = key(job);
    return {
      publish: async (body) => {
        await redis.xadd(target, '*', 'body', body);
      },
      async close() {
        redis.disconnect();
      },
    };
  },
};
