export const EVENT_BUSES = ['jetstream', 'redis-streams'] as const;
export type BenchBus = (typeof EVENT_BUSES)[number];

/** What the publisher and consumer workers of one events cell need, passed as JSON. */
export interface EventJob {
  stack: 'raw' | 'switchboard';
  bus: BenchBus;
  natsUrl: string;
  redisUrl: string;
  /** Unique per cell: stream, subjects, keys and groups start with it. */
  namespace: string;
  /** Events the consumer handles at once. */
  concurrency: number;
}

export interface EventPublisher {
  /** Resolves once the broker has stored the event. */
  publish(body: string): Promise<void>;
  close(): Promise<void>;
}

export interface EventConsumer {
  close(): Promise<void>;
}

/** One way to publish durable events and consume them with an explicit ack. */
export interface EventStack {
  /** Starts consuming (creating the stream / group); `onEvent` gets each body before it is acked. */
  consume(job: EventJob, onEvent: (body: string) => void): Promise<EventConsumer>;
  publisher(job: EventJob): Promise<EventPublisher>;
}
