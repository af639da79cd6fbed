import { RpcError, StatusCode } from '@app/transport';

export interface CallRecord {
  index: number;
  startedAt: number;
  settledAt: number;
  ok: boolean;
  /** The status code of a failure (UNKNOWN for a non-RpcError). */
  code?: StatusCode;
}

export interface LoadShape {
  /** At most this many calls. */
  calls: number;
  concurrency: number;
  /** Stop starting calls after this long (ms). */
  durationMs?: number;
  /** Pause between two calls of one worker (ms), to spread a bounded count over the duration. */
  pauseMs?: number;
  /** Stop starting calls once aborted (load in the background until something is seen). */
  signal?: AbortSignal;
}

/**
 * Runs calls, `concurrency` at a time, and records when each started and settled and how. Bounded in count and in
 * time (and each call by its own deadline), so a load test always stops by itself.
 */
export async function runLoad(shape: LoadShape, call: (index: number) => Promise<unknown>): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  const until = Date.now() + (shape.durationMs ?? Infinity);
  let next = 0;
  const worker = async () => {
    while (next < shape.calls && Date.now() < until && !shape.signal?.aborted) {
      const index = next++;
      const startedAt = Date.now();
      try {
        await call(index);
        records.push({ index, startedAt, settledAt: Date.now(), ok: true });
      } catch (error) {
        const code = error instanceof RpcError ? error.code : StatusCode.UNKNOWN;
        records.push({ index, startedAt, settledAt: Date.now(), ok: false, code });
      }
      if (shape.pauseMs) await new Promise((resolve) => setTimeout(resolve, shape.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: shape.concurrency }, worker));
  return records.sort((a, b) => a.index - b.index);
}

/** A one-line summary for the test output: counts per outcome and the slowest call. */
export function summarize(label: string, records: readonly CallRecord[]): string {
  const byOutcome = new Map<string, number>();
  for (const r of records) {
    const key = r.ok ? 'OK' : StatusCode[r.code ?? StatusCode.UNKNOWN];
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
  }
  const slowest = Math.max(...records.map((r) => r.settledAt - r.startedAt));
  return `${label}: ${records.length} calls, ${[...byOutcome].map(([k, v]) => `${k} ${v}`).join(', ')}, slowest ${slowest} ms`;
}
