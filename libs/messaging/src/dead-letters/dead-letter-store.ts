import type { DeadLetter, DeadLetterError, DeadLetterPage, DeadLetterQuery, NewDeadLetter } from './dead-letter';

/**
 * Where a consumer group keeps the events it gave up, scoped to that group. `record` must have stored the letter
 * when it resolves (the consumer tells the bus to drop the event only then; a rejection has the event delivered
 * again, so nothing is lost). Recording an id that is already there makes it `dead` again with the new attempt's
 * error and counts, keeping its first failure time, its replay count and `authRefused` once set.
 *
 * A replay is claimed before it runs (`claimReplay`: `dead` -> `replaying`, atomically, so two operators or two
 * instances never run one letter twice) and then settled: `markReplayed` when the handler succeeded, `record`
 * when it failed again, `releaseReplay` when it could not run at all. A claim older than `staleBefore` is taken
 * over (its instance died mid-replay).
 */
export interface DeadLetterStore {
  readonly kind: 'sqlite' | 'memory';
  record(letter: NewDeadLetter): Promise<void>;
  get(id: string): Promise<DeadLetter | undefined>;
  list(query: DeadLetterQuery): Promise<DeadLetterPage>;
  /** The letter now `replaying`, or undefined when there is none to claim (absent, replayed, or being replayed). */
  claimReplay(id: string, at: number, staleBefore: number): Promise<DeadLetter | undefined>;
  /** `replaying` -> `dead`, keeping its error: the replay never reached the handler. */
  releaseReplay(id: string): Promise<void>;
  markReplayed(id: string, at: number): Promise<void>;
  /** Deletes it; false when there was none. */
  discard(id: string): Promise<boolean>;
}

/** A failed replay as the store records it: the letter dead again with the replay's error. */
export const failedReplay = (letter: DeadLetter, error: DeadLetterError, at: number): NewDeadLetter => ({
  id: letter.id,
  type: letter.type,
  group: letter.group,
  body: letter.body,
  metadata: letter.metadata,
  deliveryCount: letter.deliveryCount + 1,
  lastError: { ...error, message: error.message.slice(0, 2000) },
  // The replay ran with this service's own token: a refusal says nothing about the event's origin.
  authRefused: false,
  publishedAt: letter.publishedAt,
  firstFailedAt: letter.firstFailedAt,
  deadLetteredAt: at,
});
