import {
  AckPolicy,
  ConsumerConfig,
  ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamManager,
  NatsError,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from 'nats';

/** JetStream's de-duplication window: an event id published twice within it is stored once. */
/** How long the stream keeps an event (a group down for longer misses it). */
export const RETENTION_MS = 7 * 24 * 3_600_000;
/** Time a consumer has to settle an event before it is delivered again (handlers in progress extend it). */
export const ACK_WAIT_MS = 30_000;
/** Deliveries beyond `maxDeliveries` the server still makes, so an event lost with a crashed instance is still dead-lettered. */
export const MAX_DELIVER_MARGIN = 3;

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/** A setup problem no retry fixes (the operator must): names that clash with something else on the broker. */
export class JetStreamSetupError extends Error {
  override name = 'JetStreamSetupError';
}

function apiCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

export const isConsumerNotFound = (error: unknown) => apiCode(error) === CONSUMER_NOT_FOUND;

/** How the event stream is made: its de-duplication window, and on how many servers it is kept (a cluster: 3). */
export interface StreamSettings {
  duplicateWindowMs: number;
  replicas: number;
}

/**
 * Creates the namespace's event stream if it is missing: file storage, limits retention, de-duplication window,
 * `replicas` copies (its consumers have as many). Several instances may race to create it; an existing stream is
 * accepted if it takes the namespace's subjects.
 */
export async function ensureStream(jsm: JetStreamManager, name: string, subjects: string, settings: StreamSettings): Promise<void> {
  const config: Partial<StreamConfig> = {
    name,
    subjects: [subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(RETENTION_MS),
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
  try {
    checkStream(await jsm.streams.info(name), name, subjects);
    return;
  } catch (error) {
    if (apiCode(error) !== STREAM_NOT_FOUND) throw error;
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another instance created it first (or with other settings): accept it if it carries our subjects.
    checkStream(await jsm.streams.info(name).catch(() => Promise.reject(error)), name, subjects);
  }
}

function checkStream(info: { config: Pick<StreamConfig, 'subjects'> }, name: string, subjects: string): void {
  if (!(info.config.subjects ?? []).includes(subjects)) {
    throw new JetStreamSetupError(`JetStream stream ${name} exists but does not take ${subjects}`);
  }
}

export interface DurableSpec {
  stream: string;
  name: string;
  subject: string;
  maxDeliver: number;
}

/**
 * Creates a group's durable pull consumer for one subject if it is missing, delivering what is published from then
 * on; an existing one resumes where it was (its delivery limits are brought up to date).
 */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<ConsumerInfo> {
  const existing = await jsm.consumers.info(spec.stream, spec.name).catch((error: unknown) => {
    if (isConsumerNotFound(error)) return undefined;
    throw error;
  });
  if (existing) return adjust(jsm, spec, existing);
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.name,
    filter_subject: spec.subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(ACK_WAIT_MS),
    max_deliver: spec.maxDeliver,
  };
  try {
    return await jsm.consumers.add(spec.stream, config);
  } catch (error) {
    // Another instance of the group created it first.
    const raced = await jsm.consumers.info(spec.stream, spec.name).catch(() => Promise.reject(error));
    return adjust(jsm, spec, raced);
  }
}

async function adjust(jsm: JetStreamManager, spec: DurableSpec, info: ConsumerInfo): Promise<ConsumerInfo> {
  if (info.config.filter_subject !== spec.subject) {
    throw new JetStreamSetupError(`JetStream consumer ${spec.name} exists with filter ${info.config.filter_subject}, not ${spec.subject}`);
  }
  if (info.config.max_deliver === spec.maxDeliver && info.config.ack_wait === nanos(ACK_WAIT_MS)) return info;
  return jsm.consumers.update(spec.stream, spec.name, { max_deliver: spec.maxDeliver, ack_wait: nanos(ACK_WAIT_MS) });
}
