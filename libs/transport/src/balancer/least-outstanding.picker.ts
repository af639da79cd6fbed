import type { Pickable, Picker } from './picker';

/**
 * Each call to the candidate with the fewest calls in flight, so a slow instance gets fewer calls; ties go round
 * robin among the tied, so under light load it spreads evenly.
 */
export class LeastOutstandingPicker implements Picker {
  private turn = 0;

  pick<T extends Pickable>(candidates: readonly T[]): T {
    let least = Infinity;
    for (const candidate of candidates) if (candidate.outstanding < least) least = candidate.outstanding;
    const tied = candidates.filter((candidate) => candidate.outstanding === least);
    this.turn = (this.turn + 1) % Number.MAX_SAFE_INTEGER;
    return tied[this.turn % tied.length];
  }
}
