import { Logger } from '@nestjs/common';
import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, OutboundCall, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { unavailable } from '../status/rpc-error';
import type { BalancedEndpoint, Subchannel } from '../balancer/balancer';
import type { EndpointSource } from '../balancer/service-endpoint';
import { StaticEndpointSource } from '../balancer/static-endpoint-source';
import { parseTcpAddress } from './tcp-address';
import { TcpChannel } from './tcp-channel';
import { TcpServerTransport } from './tcp-server';

interface SharedChannel {
  channel: TcpChannel;
  users: number;
  stopWatching(): void;
}

/**
 * Point-to-point TCP, no broker: each service instance listens on its own host:port; clients keep a persistent
 * connection to every instance of the target service (its address list, or the registry's instances when an
 * endpoint source is given) and balance calls over them. Frames are
 * length-prefixed JSON, in mutual TLS when the config has TLS material. All clients of one target service in this
 * driver share its connections, and `close` closes every server and connection the driver opened.
 */
export class TcpDriver implements TransportDriver {
  readonly name = 'tcp' as const;
  private readonly servers = new Set<TcpServerTransport>();
  private readonly channels = new Map<string, SharedChannel>();
  private readonly log = new Logger('tcp');

  private readonly endpointSource: EndpointSource;

  constructor(
    private readonly config: TransportConfig,
    endpointSource?: EndpointSource,
  ) {
    this.endpointSource = endpointSource ?? new StaticEndpointSource(config.addresses);
  }

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const service = contracts[0].service;
    const address = this.config.listen ?? this.config.addresses[service]?.[0];
    if (!address) throw new Error(`tcp: no listen address for ${service}: set RPC_LISTEN or ${service.toUpperCase()}_ADDR`);
    const server = new TcpServerTransport(service, parseTcpAddress(address), this.config.maxPayloadBytes, this.log, this.config.tls);
    this.servers.add(server);
    return server;
  }

  client(contract: ServiceContract): ClientTransport {
    const service = contract.service;
    const shared = this.channels.get(service) ?? this.openChannel(service);
    shared.users++;
    let closed = false;
    return {
      send: (call: OutboundCall) => (closed ? Promise.reject(unavailable('client closed')) : shared.channel.send(call)),
      close: async () => {
        if (closed) return;
        closed = true;
        if (--shared.users === 0 && this.channels.get(service) === shared) {
          this.channels.delete(service);
          shared.stopWatching();
          shared.channel.close();
        }
      },
    };
  }

  /** The instances calls to `service` are balanced over, each with the calls it was sent (reports, tests). */
  balanced(service: string): readonly BalancedEndpoint<Subchannel>[] {
    return this.channels.get(service)?.channel.endpoints ?? [];
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers].map((server) => server.close()));
    this.servers.clear();
    for (const shared of this.channels.values()) {
      shared.stopWatching();
      shared.channel.close();
    }
    this.channels.clear();
  }

  private openChannel(service: string): SharedChannel {
    const { maxPayloadBytes, tls, balancing } = this.config;
    const channel = new TcpChannel(service, maxPayloadBytes, this.log, balancing, tls);
    const stopWatching = this.endpointSource.watch(service, (endpoints) => channel.setEndpoints(endpoints));
    const shared = { channel, users: 0, stopWatching };
    this.channels.set(service, shared);
    return shared;
  }
}
