/**
 * Names the Redis Streams bus uses, all under the namespace. One stream per event type: a group then reads only
 * the types it subscribed to (no reading and acking of unrelated events), each type keeps its own backlog, and
 * the `{type}` hash tag puts a stream and its de-duplication keys in one Redis Cluster slot (the publish script
 * touches both).
 */
export const streamKey = (namespace: string, type: string): string => `${namespace}:events:{${type}}`;

/** Marks an event id as published, for the de-duplication window. Same slot as the stream it guards. */
export const seenKey = (namespace: string, type: string, id: string): string => `${streamKey(namespace, type)}:seen:${id}`;

/** An instance's consumer name in a group (a suffix tells apart several subscriptions of one bus to one group). */
export const consumerName = (namespace: string, instanceId: string, serial: number): string =>
  serial === 1 ? `${namespace}:${instanceId}` : `${namespace}:${instanceId}#${serial}`;

/**
 * The consumer that holds, in each group, the events waiting for a retry: a failed event is moved to it, which
 * restarts its idle time, and any instance claims it back once it has been idle for its retry delay.
 */
export const retryConsumerName = (namespace: string): string => `${namespace}:awaiting-retry`;

/**
 * Safety cap on a stream's length (approximate trimming). Streams are normally trimmed to what some group still
 * needs (see StreamTrimmer); the cap only bounds a stream nobody reads.
 */
export const STREAM_MAX_LEN = 1_000_000;
