import { promises as dns } from 'node:dns';
import { Logger } from '@nestjs/common';
import { ServiceEndpoint, ThrottledLog } from '@app/transport';
import type { DiscoveryConfig } from '../registry/discovery-config';
import type { InstanceRecord } from '../registry/instance-record';
import type { ServiceRegistry } from '../registry/service-registry';
import { WatchedService } from '../registry/watched-service';

/** Resolves a DNS name, for tests: the resolver's interface that this registry uses. */
export interface DnsLookup {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  lookupAll(host: string): Promise<string[]>;
}

function systemLookup(servers?: readonly string[]): DnsLookup {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  if (servers) resolver.setServers([...servers]);
  return {
    resolveSrv: (name) => resolver.resolveSrv(name),
    // A and AAAA the way the system resolves them (resolv.conf search domains, /etc/hosts): what a pod sees.
    lookupAll: async (host) => (await dns.lookup(host, { all: true })).map((entry) => (entry.family === 6 ? `[${entry.address}]` : entry.address)),
  };
}

/**
 * The DNS mode (Kubernetes headless Services): a service's instances are the records of `DISCOVERY_DNS_NAME`
 * (`{service}` replaced by its name) — SRV records (`_rpc._tcp.inventory.shop.svc.cluster.local`: one target and
 * port per ready pod) or, for `host:port`, every A/AAAA address of the host on that port. Read again every
 * `DISCOVERY_DNS_REFRESH_MS`; a failed lookup keeps the last list. The platform registers instances (a pod is in
 * DNS while it is ready), so `announce` and `withdraw` do nothing; versions are not known (any version).
 */
export class DnsRegistry implements ServiceRegistry {
  readonly mode = 'dns' as const;
  private readonly lookup: DnsLookup;
  private readonly log = new ThrottledLog(new Logger('discovery'), 30_000);
  private readonly stops = new Set<() => void>();

  constructor(
    private readonly config: DiscoveryConfig,
    lookup?: DnsLookup,
  ) {
    this.lookup = lookup ?? systemLookup(config.dnsServers);
  }

  async announce(): Promise<void> {}

  async withdraw(): Promise<void> {}

  nameOf(service: string): string {
    return this.config.dnsName.replace(/\{service\}/g, service);
  }

  async resolve(service: string): Promise<ServiceEndpoint[]> {
    const name = this.nameOf(service);
    if (name.startsWith('_')) {
      const records = await this.lookup.resolveSrv(name);
      return records.map((record) => ({ instanceId: `${record.name}:${record.port}`, address: `${record.name}:${record.port}` }));
    }
    const colon = name.lastIndexOf(':');
    const [host, port] = [name.slice(0, colon), name.slice(colon + 1)];
    const addresses = await this.lookup.lookupAll(host);
    return addresses.map((address) => ({ instanceId: `${address}:${port}`, address: `${address}:${port}` }));
  }

  watch(service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void): () => void {
    // Entries never age out on their own: each successful lookup replaces the list.
    const target = new WatchedService(service, Infinity);
    const removeListener = target.addListener(listener);
    const refresh = () =>
      this.resolve(service).then(
        (endpoints) => {
          target.replace(endpoints.map((endpoint) => ({ ...dnsRecord(service, endpoint) })));
          target.publish();
        },
        (error: Error) => this.log.warn(service, `DNS lookup of ${this.nameOf(service)} failed: ${error.message}; keeping the last list`),
      );
    void refresh();
    const timer = setInterval(refresh, this.config.dnsRefreshMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      removeListener();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  async list(service: string): Promise<InstanceRecord[]> {
    return (await this.resolve(service)).map((endpoint) => dnsRecord(service, endpoint));
  }

  async close(): Promise<void> {
    for (const stop of [...this.stops]) stop();
  }
}

const dnsRecord = (service: string, endpoint: ServiceEndpoint): InstanceRecord => ({
  service,
  instanceId: endpoint.instanceId,
  transport: 'dns',
  address: endpoint.address,
  startedAt: 0,
  heartbeatAt: 0,
  handled: 0,
  inFlight: 0,
});
