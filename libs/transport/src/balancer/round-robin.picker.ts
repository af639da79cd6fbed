import type { Pickable, Picker } from './picker';

/** Each call to the next candidate in turn. */
export class RoundRobinPicker implements Picker {
  private cursor = -1;

  pick<T extends Pickable>(candidates: readonly T[]): T {
    this.cursor = (this.cursor + 1) % candidates.length;
    return candidates[this.cursor];
  }
}
