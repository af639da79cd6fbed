/**
 * Caches a metric's labelled child per label set, so the hot path does one Map lookup instead of prom-client's
 * label validation and hashing on every call.
 */
export class LabelCache<T> {
  private readonly children = new Map<string, T>();
  private overflow?: T;

  /** `maxSets` bounds the label sets (values from the wire, such as a caller's name, must not grow it forever). */
  constructor(
    private readonly make: (values: string[]) => T,
    private readonly maxSets = 2000,
  ) {}

  get(...values: string[]): T {
    const key = values.join('\u0001');
    let child = this.children.get(key);
    if (child === undefined) {
      if (this.children.size >= this.maxSets) return (this.overflow ??= this.make(values.map(() => '_other')));
      child = this.make(values);
      this.children.set(key, child);
    }
    return child;
  }
}
