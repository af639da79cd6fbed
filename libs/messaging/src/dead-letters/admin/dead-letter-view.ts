import { StatusCode } from '@app/transport';
import type { DeadLetter, DeadLetterSummary } from '../dead-letter';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A dead letter as the admin endpoint shows it: times in ISO 8601, the error's code by name. */
export function summaryView(letter: DeadLetterSummary) {
  return {
    id: letter.id,
    type: letter.type,
    group: letter.group,
    status: letter.status,
    deliveryCount: letter.deliveryCount,
    lastError: { code: StatusCode[letter.lastError.code] ?? String(letter.lastError.code), message: letter.lastError.message },
    authRefused: letter.authRefused,
    publishedAt: iso(letter.publishedAt),
    firstFailedAt: new Date(letter.firstFailedAt).toISOString(),
    deadLetteredAt: new Date(letter.deadLetteredAt).toISOString(),
    replays: letter.replays,
    replayStartedAt: iso(letter.replayStartedAt),
    replayedAt: iso(letter.replayedAt),
  };
}

export function deadLetterView(letter: DeadLetter) {
  return { ...summaryView(letter), metadata: letter.metadata, body: letter.body };
}

export type DeadLetterSummaryView = ReturnType<typeof summaryView>;
export type DeadLetterView = ReturnType<typeof deadLetterView>;
/** The body of `GET /admin/dead-letters`. */
export interface DeadLetterListView {
  group: string;
  storage: 'sqlite' | 'memory';
  items: DeadLetterSummaryView[];
  nextCursor?: string;
}
/** The body of `POST /admin/dead-letters/:id/replay`. */
export interface DeadLetterReplayView {
  outcome: 'handled' | 'failed';
  deadLetter: DeadLetterView;
}
