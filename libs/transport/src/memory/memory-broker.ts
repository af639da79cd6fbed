import type { Metadata } from '../metadata/metadata';

/** An instance's entry point: takes the JSON request body, answers with the JSON reply body. */
export type MemoryEndpoint = (method: string, body: string, metadata: Metadata) => Promise<string>;

/**
 * The in-process "broker" of the memory transport: which instances serve which service, picked round robin,
 * so two instances in one process share the work like queue groups do on NATS.
 */
export class MemoryBroker {
  /** The broker every app of this process uses unless given its own. */
  static readonly shared = new MemoryBroker();

  private readonly services = new Map<string, MemoryEndpoint[]>();
  private readonly cursor = new Map<string, number>();

  register(service: string, endpoint: MemoryEndpoint): () => void {
    this.services.set(service, [...(this.services.get(service) ?? []), endpoint]);
    return () => this.services.set(service, (this.services.get(service) ?? []).filter((e) => e !== endpoint));
  }

  pick(service: string): MemoryEndpoint | undefined {
    const instances = this.services.get(service);
    if (!instances?.length) return undefined;
    const next = ((this.cursor.get(service) ?? -1) + 1) % instances.length;
    this.cursor.set(service, next);
    return instances[next];
  }
}
