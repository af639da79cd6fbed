import { cursorAfter, DeadLetter, DeadLetterPage, DeadLetterQuery, DeadLetterSummary, NewDeadLetter, parseCursor } from './dead-letter';
import type { DeadLetterStore } from './dead-letter-store';

/** Most letters kept; beyond it the oldest goes (this store is for development and tests). */
export const MEMORY_DEAD_LETTERS_KEPT = 10_000;

/**
 * Dead letters in this process only, for an app without a database (or without DEAD_LETTERS_MIGRATION): each
 * instance sees its own, and they are gone when it stops. Same semantics as SqliteDeadLetterStore.
 */
export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly kind = 'memory' as const;
  private readonly letters = new Map<string, { seq: number; letter: DeadLetter }>();
  private seq = 0;

  constructor(
    private readonly group: string,
    private readonly capacity = MEMORY_DEAD_LETTERS_KEPT,
  ) {}

  async record(letter: NewDeadLetter): Promise<void> {
    const known = this.letters.get(letter.id);
    const copy = structuredClone({ ...letter, group: this.group });
    if (known) {
      known.letter = {
        ...known.letter,
        ...copy,
        firstFailedAt: Math.min(known.letter.firstFailedAt, copy.firstFailedAt),
        authRefused: known.letter.authRefused || copy.authRefused,
        status: 'dead',
      };
      return;
    }
    this.letters.set(letter.id, { seq: ++this.seq, letter: { ...copy, status: 'dead', replays: 0 } });
    if (this.letters.size > this.capacity) this.letters.delete(this.letters.keys().next().value ?? '');
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const entry = this.letters.get(id);
    return entry && structuredClone(entry.letter);
  }

  async list(query: DeadLetterQuery): Promise<DeadLetterPage> {
    const before = parseCursor(query.cursor) ?? Infinity;
    const matches = [...this.letters.values()]
      .filter(({ seq, letter }) => seq < before && (query.type === undefined || letter.type === query.type))
      .filter(({ letter }) => query.status === undefined || letter.status === query.status)
      .sort((a, b) => b.seq - a.seq);
    const items = matches.slice(0, query.limit);
    const more = matches.length > query.limit;
    return { items: items.map(({ letter }) => summary(letter)), nextCursor: more ? cursorAfter(items[items.length - 1].seq) : undefined };
  }

  async claimReplay(id: string, at: number, staleBefore: number): Promise<DeadLetter | undefined> {
    const entry = this.letters.get(id);
    if (!entry) return undefined;
    const { letter } = entry;
    const stale = letter.status === 'replaying' && (letter.replayStartedAt ?? 0) < staleBefore;
    if (letter.status !== 'dead' && !stale) return undefined;
    entry.letter = { ...letter, status: 'replaying', replays: letter.replays + 1, replayStartedAt: at };
    return structuredClone(entry.letter);
  }

  async releaseReplay(id: string): Promise<void> {
    const entry = this.letters.get(id);
    if (entry?.letter.status === 'replaying') entry.letter = { ...entry.letter, status: 'dead' };
  }

  async markReplayed(id: string, at: number): Promise<void> {
    const entry = this.letters.get(id);
    if (entry) entry.letter = { ...entry.letter, status: 'replayed', replayedAt: at };
  }

  async discard(id: string): Promise<boolean> {
    return this.letters.delete(id);
  }
}

function summary(letter: DeadLetter): DeadLetterSummary {
  const { body: _body, metadata: _metadata, ...rest } = letter;
  return rest;
}
