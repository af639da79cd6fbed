/**
 * The timings of the Redis Streams bus. The defaults suit production; tests shorten them to see a dead instance's
 * events taken over without waiting half a minute.
 */
export interface RedisStreamsTiming {
  /** An entry another instance has held this long without touching it is taken over (that instance is gone). */
  abandonedAfterMs: number;
  /** An entry in hand this long has its idle time restarted, so nobody takes it while its handler runs. */
  keepAliveAfterMs: number;
  /** How often entries of dead instances, and this consumer's entries lost in transit, are looked for. */
  abandonedScanEveryMs: number;
  /** How often each stream is trimmed to what its groups still need. */
  trimEveryMs: number;
}

export const DEFAULT_TIMING: RedisStreamsTiming = {
  abandonedAfterMs: 30_000,
  keepAliveAfterMs: 5_000,
  abandonedScanEveryMs: 5_000,
  trimEveryMs: 10_000,
};
