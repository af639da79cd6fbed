import { Metadata, MetadataKey, RpcError, StatusCode } from '@app/transport';
import type { DeliveredEvent } from '../bus/event-bus';

/** `dead`: given up, waiting for an operator; `replaying`: a replay is running; `replayed`: a replay was handled. */
export type DeadLetterStatus = 'dead' | 'replaying' | 'replayed';
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['dead', 'replaying', 'replayed'];

/** Metadata on a replayed event: the id of the dead letter (= the original event) it replays. */
export const REPLAY_OF = 'x-replay-of';

export interface DeadLetterError {
  code: StatusCode;
  message: string;
}

/**
 * An event a consumer group gave up: after `maxDeliveries` failed deliveries, or at once when no retry can fix it
 * (invalid payload, failed service auth, no handler). Its id is the event's id, unique within the group.
 */
export interface DeadLetter {
  id: string;
  type: string;
  /** The consumer group (the service) that gave it up. */
  group: string;
  /** The payload's JSON as delivered. */
  body: string;
  /** The event's metadata without `authorization`: no token is ever stored. */
  metadata: Metadata;
  /** Deliveries of the last attempt (the bus's count, or the one replay that failed). */
  deliveryCount: number;
  lastError: DeadLetterError;
  /**
   * A delivery of this event id was refused by service auth (UNAUTHENTICATED, PERMISSION_DENIED). Sticky: once
   * set it stays, whatever a later delivery of the same id did, and such a letter is never replayed (its token is
   * not stored, so nothing can prove any more who published it).
   */
  authRefused: boolean;
  /** When the bus stored the event, if it tells (epoch ms). */
  publishedAt?: number;
  /**
   * The first failure the instance that gave it up saw; when that instance saw only later deliveries (an earlier
   * one failed on another instance or before a restart), the time the bus stored the event: the earliest it can
   * have failed.
   */
  firstFailedAt: number;
  deadLetteredAt: number;
  status: DeadLetterStatus;
  /** Replays an operator started. */
  replays: number;
  replayStartedAt?: number;
  /** When a replay was handled (status `replayed`). */
  replayedAt?: number;
}

/** What a consumer records when it gives an event up (a new dead letter, or an old one dead again). */
export type NewDeadLetter = Omit<DeadLetter, 'status' | 'replays' | 'replayStartedAt' | 'replayedAt'>;

/** A dead letter without its body and metadata: what a listing shows. */
export type DeadLetterSummary = Omit<DeadLetter, 'body' | 'metadata'>;

export interface DeadLetterQuery {
  type?: string;
  status?: DeadLetterStatus;
  /** 1..500. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** Newest first; `nextCursor` is there when more may follow. */
export interface DeadLetterPage {
  items: DeadLetterSummary[];
  nextCursor?: string;
}

export const MAX_DEAD_LETTER_PAGE = 500;
const MAX_ERROR_MESSAGE = 2000;
/** Metadata never stored with a dead letter: tokens, and the replay marker (a replay records the original). */
const NOT_STORED = new Set<string>([MetadataKey.authorization, REPLAY_OF]);
/** Errors of service auth: the event's token was refused. */
export const AUTH_REFUSALS: ReadonlySet<StatusCode> = new Set([StatusCode.UNAUTHENTICATED, StatusCode.PERMISSION_DENIED]);

/** The dead letter of an event `group` gave up with `error` (a delivery by the bus, not a replay). */
export function deadLetterOf(
  event: DeliveredEvent,
  group: string,
  error: RpcError,
  times: { firstFailedAt: number; deadLetteredAt: number },
): NewDeadLetter {
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(event.metadata)) if (!NOT_STORED.has(key.toLowerCase())) metadata[key] = value;
  return {
    id: event.id,
    type: event.type,
    group,
    body: event.body,
    metadata,
    deliveryCount: event.deliveryCount,
    lastError: { code: error.code, message: error.message.slice(0, MAX_ERROR_MESSAGE) },
    authRefused: AUTH_REFUSALS.has(error.code),
    publishedAt: event.publishedAt,
    firstFailedAt: Math.min(times.firstFailedAt, times.deadLetteredAt),
    deadLetteredAt: times.deadLetteredAt,
  };
}

/** The page position after `seq` (cursors are opaque to callers). */
export const cursorAfter = (seq: number): string => String(seq);

/** The sequence number a cursor stands for; INVALID_ARGUMENT for anything else. */
export function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor)) throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid cursor "${cursor.slice(0, 40)}"`);
  return Number(cursor);
}
