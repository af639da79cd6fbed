/** One instance of a service as a client sees it: where it listens and which contract versions it serves. */
export interface ServiceEndpoint {
  instanceId: string;
  /** host:port on tcp/grpc. */
  address: string;
  /** Contract versions it serves (`v1`, `v2`); undefined when not known (a static or DNS list): any version. */
  versions?: readonly string[];
  zone?: string;
}

/**
 * Where clients learn the instances of a service: a registry (NATS KV, Redis, DNS) or a static list.
 * `watch` calls `listener` with the full current list as soon as it is known and again on every change, and
 * returns the function that stops watching.
 */
export interface EndpointSource {
  watch(service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void): () => void;
}

/** True when the endpoint serves contract version `version` (an endpoint that does not say serves all). */
export const servesVersion = (endpoint: ServiceEndpoint, version: string): boolean =>
  endpoint.versions === undefined || endpoint.versions.includes(version);
