/** Latencies (ms) of the calls that completed in the measured window, in a growable typed array. */
export class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** A sorted copy of what was recorded. */
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
}
