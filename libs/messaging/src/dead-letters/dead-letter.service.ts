import { Inject, Injectable, Logger } from '@nestjs/common';
import { Metadata, RpcError, SERVICE_NAME, StatusCode } from '@app/transport';
import type { EventMetadataStamp } from '../bus/stamped-event-bus';
import { DeadLetter, DeadLetterPage, DeadLetterQuery, MAX_DEAD_LETTER_PAGE, REPLAY_OF } from './dead-letter';
import { DeadLetterStore, failedReplay } from './dead-letter-store';
import { DEAD_LETTER_STORE, EVENT_METADATA_STAMPS } from './dead-letter.tokens';
import { ReplayOutcome, ReplayRunner } from './replay-runner';

export const DEFAULT_DEAD_LETTER_PAGE = 50;
/** A replay still `replaying` after this long is taken to have died with its instance, and may be started again. */
export const REPLAY_LEASE_MS = 15 * 60_000;

export interface ReplayResult {
  /** `handled`: the handler returned (the letter is `replayed`); `failed`: it threw (the letter is `dead` again, with that error). */
  outcome: 'handled' | 'failed';
  deadLetter: DeadLetter;
}

/**
 * What operators do with this service's dead letters: list, inspect, replay, discard (the admin endpoint calls it;
 * a script can too).
 *
 * How a replay runs, and why: the letter is claimed (`dead` -> `replaying`, atomically: two replays never both run)
 * and the original event — same id, type, body and metadata, plus `x-replay-of: <id>` and a fresh token from this
 * app's stamps (EVENT_TOKEN_STAMP) — runs once through this service's own handler, in this process, in the same
 * Nest pipeline as a delivery (guards, validation, interceptors). Handled -> `replayed`; failed -> `dead` again
 * with the new error, for another try later. The alternatives through the bus are worse:
 * - republishing with the same id is dropped by the bus as a duplicate (2 min window), and with a new id every
 *   subscribing service gets it: the others would act on it a second time, under an id they have not seen;
 * - the bus cannot address one group, and a replay channel per group would be one more durable consumer per
 *   service kept open for rare replays (on JetStream an idle pull holds its share of the concurrency permits);
 * - the original token is not stored (a token plus the broker time it is checked against would stay valid for
 *   ever), and the new one can only be this service's own: the publishing service's key is not here. Service auth
 *   must therefore accept, for a replay (a ReplayedEventContext, which only this process creates), a fresh event
 *   token issued by the consuming service itself. A letter whose token was refused (`authRefused`) is never
 *   replayed: nothing can prove any more who published it, and a replay would vouch for a possibly forged event
 *   with this service's own token; its publisher must publish it again.
 * The price: a replay is one attempt with no backoff, on the instance the operator reached, and the admin request
 * waits for the handler; its outcome comes back at once instead of through the bus's retries.
 */
@Injectable()
export class DeadLetterService {
  private readonly log: Logger;

  constructor(
    @Inject(DEAD_LETTER_STORE) private readonly store: DeadLetterStore,
    @Inject(EVENT_METADATA_STAMPS) private readonly stamps: readonly EventMetadataStamp[],
    @Inject(SERVICE_NAME) readonly group: string,
    private readonly runner: ReplayRunner,
  ) {
    this.log = new Logger(`${group}:dead-letters`);
  }

  /** Where the letters are kept: `sqlite` (the service's database) or `memory` (this process). */
  get storage(): DeadLetterStore['kind'] {
    return this.store.kind;
  }

  /** Newest first. `limit` 1..500 (default 50); `cursor` the previous page's `nextCursor`. */
  async list(query: Partial<DeadLetterQuery> = {}): Promise<DeadLetterPage> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEAD_LETTER_PAGE) {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `limit must be an integer between 1 and ${MAX_DEAD_LETTER_PAGE}`);
    }
    return this.store.list({ type: query.type, status: query.status, cursor: query.cursor, limit });
  }

  async get(id: string): Promise<DeadLetter> {
    const letter = await this.store.get(id);
    if (!letter) throw notFound(id);
    return letter;
  }

  async replay(id: string): Promise<ReplayResult> {
    const letter = await this.get(id);
    if (letter.authRefused) {
      throw new RpcError(
        StatusCode.FAILED_PRECONDITION,
        `dead letter ${id} was refused by service auth: its origin cannot be proven, so it is not replayed; ` +
          'have its publisher publish it again',
      );
    }
    const now = Date.now();
    const claimed = await this.store.claimReplay(id, now, now - REPLAY_LEASE_MS);
    if (!claimed) {
      const current = await this.store.get(id);
      if (!current) throw notFound(id);
      throw new RpcError(StatusCode.ABORTED, `dead letter ${id} is ${current.status}: it is not replayed again`, { status: current.status });
    }
    let outcome: ReplayOutcome;
    try {
      const metadata = this.stamps.reduce<Metadata>((stamped, stamp) => stamp(stamped), { ...claimed.metadata, [REPLAY_OF]: claimed.id });
      const event = { id: claimed.id, type: claimed.type, body: claimed.body, metadata, deliveryCount: claimed.deliveryCount + 1 };
      outcome = await this.runner.run(event, claimed.publishedAt);
    } catch (error) {
      await this.store.releaseReplay(id);
      throw error;
    }
    const at = Date.now();
    try {
      if (outcome.handled) await this.store.markReplayed(id, at);
      else await this.store.record(failedReplay(claimed, { code: outcome.error.code, message: outcome.error.message }, at));
    } catch (error) {
      // The handler has run (or failed); only its outcome is not stored. The letter stays `replaying` until the lease ends.
      this.log.error(`replay of ${id} ${outcome.handled ? 'handled' : 'failed'}, but the dead letter could not be updated: ${String(error)}`);
      return { outcome: outcome.handled ? 'handled' : 'failed', deadLetter: claimed };
    }
    this.log.log(`dead letter ${claimed.type} ${id} replayed: ${outcome.handled ? 'handled' : `failed again (${outcome.error.message})`}`);
    return { outcome: outcome.handled ? 'handled' : 'failed', deadLetter: (await this.store.get(id)) ?? claimed };
  }

  async discard(id: string): Promise<void> {
    if (!(await this.store.discard(id))) throw notFound(id);
    this.log.log(`dead letter ${id} discarded`);
  }
}

const notFound = (id: string) => new RpcError(StatusCode.NOT_FOUND, `no dead letter ${id}`);
