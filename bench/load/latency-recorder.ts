/**
 * Latencies (ms) of the calls that completed in the measured window, in a typed array. Unbounded by default (a
 * window of seconds); with `maxSamples`, a uniform sample of that size (reservoir sampling), allocated up front so
 * a long soak does not grow the bench's own memory.
 */
export class LatencyRecorder {
  private values: Float64Array;
  private size = 0;
  private seen = 0;

  constructor(private readonly maxSamples = Infinity) {
    this.values = new Float64Array(Math.min(maxSamples, 1 << 16));
  }

  record(ms: number): void {
    this.seen++;
    if (this.size === this.values.length && this.size < this.maxSamples) {
      const grown = new Float64Array(Math.min(this.values.length * 2, this.maxSamples));
      grown.set(this.values);
      this.values = grown;
    }
    if (this.size < this.values.length) {
      this.values[this.size++] = ms;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.size) this.values[slot] = ms;
  }

  /** Calls recorded (all of them, also those the sample left out). */
  get count(): number {
    return this.seen;
  }

  /** A sorted copy of the sample. */
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
}
