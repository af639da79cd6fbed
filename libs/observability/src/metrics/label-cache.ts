/** A level of the cache: each label value leads to the next level, the last one to the child. */
type Level<T> = Map<string, Level<T> | T>;

/**
 * Caches a metric's labelled child per label set, so the hot path does one Map lookup per label (no key string
 * built per call) instead of prom-client's label validation and hashing on every call.
 */
export class LabelCache<T> {
  private readonly root: Level<T> = new Map();
  private sets = 0;
  private overflow?: T;

  /** `maxSets` bounds the label sets (values from the wire, such as a caller's name, must not grow it forever). */
  constructor(
    private readonly make: (values: string[]) => T,
    private readonly maxSets = 2000,
  ) {}

  get(...values: string[]): T {
    let level = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]) as Level<T> | undefined;
      if (next === undefined) {
        if (this.sets >= this.maxSets) return this.overflowChild(values);
        next = new Map();
        level.set(values[i], next);
      }
      level = next;
    }
    let child = level.get(values[last]) as T | undefined;
    if (child === undefined) {
      if (this.sets >= this.maxSets) return this.overflowChild(values);
      child = this.make(values);
      level.set(values[last], child);
      this.sets++;
    }
    return child;
  }

  private overflowChild(values: string[]): T {
    return (this.overflow ??= this.make(values.map(() => '_other')));
  }
}
