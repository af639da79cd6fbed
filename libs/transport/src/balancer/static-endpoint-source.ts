import type { EndpointSource, ServiceEndpoint } from './service-endpoint';

/**
 * The static mode: each service's instances are its configured address list (`<SERVICE>_ADDR`), versions unknown.
 * The list never changes, so `watch` answers once.
 */
export class StaticEndpointSource implements EndpointSource {
  constructor(private readonly addresses: Readonly<Record<string, readonly string[]>>) {}

  endpoints(service: string): ServiceEndpoint[] {
    return (this.addresses[service] ?? []).map((address) => ({ instanceId: address, address }));
  }

  watch(service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void): () => void {
    listener(this.endpoints(service));
    return () => undefined;
  }
}
