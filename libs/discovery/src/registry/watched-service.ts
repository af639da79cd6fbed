import type { ServiceEndpoint } from '@app/transport';
import { endpointsOf, InstanceRecord } from './instance-record';

type Listener = (endpoints: readonly ServiceEndpoint[]) => void;

/**
 * The instances of one watched service as a client knows them, and its listeners. Each record remembers when it
 * was last seen here (on this host's clock), so an instance whose heartbeats stop is dropped after the TTL even
 * when the backend does not say so (NATS KV expires entries silently). Listeners hear the endpoint list once
 * known and after each change of it.
 */
export class WatchedService {
  private readonly records = new Map<string, { record: InstanceRecord; seenAt: number }>();
  private readonly listeners = new Set<Listener>();
  private last?: string;
  private known = false;

  constructor(
    readonly service: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  get current(): InstanceRecord[] {
    return [...this.records.values()].map((entry) => entry.record);
  }

  addListener(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.known) listener(endpointsOf(this.current));
    return () => this.listeners.delete(listener);
  }

  upsert(record: InstanceRecord, seenAt = this.now()): void {
    this.records.set(record.instanceId, { record, seenAt: Math.min(seenAt, this.now()) });
  }

  remove(instanceId: string): void {
    this.records.delete(instanceId);
  }

  /** Replaces every record (a backend that reads the whole list). */
  replace(records: readonly InstanceRecord[]): void {
    this.records.clear();
    for (const record of records) this.upsert(record);
  }

  /** Drops the records not seen within the TTL, then tells the listeners if the endpoint list changed. */
  publish(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, entry] of this.records) if (entry.seenAt < cutoff) this.records.delete(id);
    const endpoints = endpointsOf(this.current);
    const text = JSON.stringify(endpoints);
    if (this.known && text === this.last) return;
    this.known = true;
    this.last = text;
    for (const listener of this.listeners) listener(endpoints);
  }
}
