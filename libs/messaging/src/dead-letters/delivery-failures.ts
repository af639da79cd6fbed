import type { RpcError } from '@app/transport';

const KEPT = 10_000;

/**
 * What one consumer instance remembers of events that are failing: when it first saw each fail, and the error of
 * one it gave up but could not record (so the delivery after that records the real error). Bounded: the oldest
 * entries go first; forgetting only makes a first-failure time later or an error less precise.
 */
export class DeliveryFailures {
  private readonly firstFailures = new Map<string, number>();
  private readonly unrecorded = new Map<string, RpcError>();

  failed(id: string, at: number): void {
    if (!this.firstFailures.has(id)) remember(this.firstFailures, id, at);
  }

  firstFailedAt(id: string): number | undefined {
    return this.firstFailures.get(id);
  }

  notRecorded(id: string, error: RpcError): void {
    remember(this.unrecorded, id, error);
  }

  unrecordedError(id: string): RpcError | undefined {
    return this.unrecorded.get(id);
  }

  forget(id: string): void {
    this.firstFailures.delete(id);
    this.unrecorded.delete(id);
  }
}

function remember<V>(map: Map<string, V>, id: string, value: V): void {
  map.set(id, value);
  if (map.size > KEPT) map.delete(map.keys().next().value ?? '');
}
