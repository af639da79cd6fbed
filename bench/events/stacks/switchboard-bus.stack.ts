import { randomUUID } from 'node:crypto';
import { createEventBus, DUPLICATE_WINDOW_MS, EventBus, EventBusConfig } from '@app/messaging';
import { ObservedEventBus } from '@app/messaging/bus/observed-event-bus';
import { startTracing } from '@app/observability/tracing';
import type { EventConsumer, EventJob, EventPublisher, EventStack } from '../event-stack';

const TYPE = 'bench.v1.Pinged';

function config(job: EventJob, role: string): EventBusConfig {
  return {
    bus: job.bus === 'jetstream' ? 'nats' : 'redis',
    namespace: job.namespace,
    natsUrl: job.natsUrl,
    redisUrl: job.redisUrl,
    maxDeliveries: 5,
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 30_000,
    concurrency: job.concurrency,
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    streamReplicas: 1,
    instanceId: `bench-${role}-${process.pid}`,
  };
}

/** The bus as the apps get it: traced (publish and process spans, default sampler) and counted in the metrics. */
function observedBus(job: EventJob, role: string): EventBus {
  startTracing(`bench-${role}`);
  return new ObservedEventBus(createEventBus(config(job, role)), `bench-${role}`);
}

/**
 * Switchboard's EventBus (JetStream or Redis Streams): publish with an event id (broker de-duplication) and
 * metadata, a group subscription with bounded redelivery, the outcome `ack` after the handler.
 */
export const switchboardBus: EventStack = {
  async consume(job, onEvent): Promise<EventConsumer> {
    const bus = observedBus(job, 'consumer');
    const handle = await bus.subscribe({
      group: 'bench',
      types: [TYPE],
      maxDeliveries: 5,
      retryDelayMs: () => 500,
      concurrency: job.concurrency,
      handle: async (event) => {
        onEvent(event.body);
        return 'ack';
      },
    });
    return {
      async close() {
        await handle.close();
        await bus.close();
      },
    };
  },

  async publisher(job): Promise<EventPublisher> {
    const bus = observedBus(job, 'publisher');
    return {
      publish: (body) => bus.publish({ id: randomUUID(), type: TYPE, body, metadata: { 'x-caller': 'bench-client' } }),
      close: () => bus.close(),
    };
  },
};
