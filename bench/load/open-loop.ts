import { performance } from 'node:perf_hooks';

export interface OpenLoopSpec {
  ratePerSecond: number;
  durationMs: number;
  /** At most this many sends unsettled at once; a send due beyond it is counted as overflow, not started. */
  maxInFlight: number;
}

export interface OpenLoopResult {
  /** Sends started. */
  started: number;
  /** Sends that were due while `maxInFlight` were unsettled: the system fell behind the offered rate. */
  overflow: number;
  elapsedMs: number;
}

const TICK_MS = 5;

/**
 * An open-loop load: starts `ratePerSecond` sends a second, on schedule whether or not earlier ones have answered
 * (unlike a closed loop, a slow system does not slow the offer down), for `durationMs`, then waits for the sends
 * in flight. Bounded in count (rate x duration) and in unsettled sends, so it always stops by itself.
 */
export async function offerAtRate(spec: OpenLoopSpec, send: (index: number) => Promise<void>): Promise<OpenLoopResult> {
  const total = Math.round((spec.ratePerSecond * spec.durationMs) / 1000);
  const unsettled = new Set<Promise<void>>();
  let due = 0;
  let started = 0;
  let overflow = 0;
  const begin = performance.now();
  while (due < total) {
    const elapsed = performance.now() - begin;
    const dueNow = Math.min(total, Math.floor((elapsed * spec.ratePerSecond) / 1000) + 1);
    for (; due < dueNow; due++) {
      if (unsettled.size >= spec.maxInFlight) {
        overflow++;
        continue;
      }
      const sending = send(started++).catch(() => undefined);
      unsettled.add(sending);
      void sending.finally(() => unsettled.delete(sending));
    }
    if (due < total) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(unsettled);
  return { started, overflow, elapsedMs: performance.now() - begin };
}
