export interface SoakSample {
  /** Seconds since the soak started. */
  atS: number;
  serverRssMiB: number;
  clientRssMiB: number;
  serverHandles: number;
  clientHandles: number;
}

export interface SoakVerdict {
  /** Growth of the server's RSS from the start of the soak (after its first fifth, once warm) to its end, in %. */
  serverRssGrowthPercent: number;
  clientRssGrowthPercent: number;
  /** Open handles at the end minus at the start (sockets, servers; timers excluded). */
  serverHandleGrowth: number;
  clientHandleGrowth: number;
  /** RSS grew by at most 10% and open handles did not grow. */
  leakFree: boolean;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/**
 * Compares the soak's first fifth (after warm-up) with its last fifth, by median, so one GC-timed sample does not
 * decide it. Leak-free means RSS grew by at most 10% and open handles not at all.
 */
export function soakVerdict(samples: readonly SoakSample[]): SoakVerdict {
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const first = samples.slice(0, fifth);
  const last = samples.slice(-fifth);
  const growth = (pick: (s: SoakSample) => number) => (100 * (median(last.map(pick)) - median(first.map(pick)))) / median(first.map(pick));
  const handles = (pick: (s: SoakSample) => number) => median(last.map(pick)) - median(first.map(pick));
  const verdict = {
    serverRssGrowthPercent: growth((s) => s.serverRssMiB),
    clientRssGrowthPercent: growth((s) => s.clientRssMiB),
    serverHandleGrowth: handles((s) => s.serverHandles),
    clientHandleGrowth: handles((s) => s.clientHandles),
  };
  return {
    ...verdict,
    leakFree:
      verdict.serverRssGrowthPercent <= 10 && verdict.clientRssGrowthPercent <= 10 && verdict.serverHandleGrowth <= 0 && verdict.clientHandleGrowth <= 0,
  };
}
