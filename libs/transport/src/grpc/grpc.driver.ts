import { Client } from '@grpc/grpc-js';
import type { ServiceContract } from '@app/contracts';
import { BalancedEndpoint, Balancer, Subchannel } from '../balancer/balancer';
import type { EndpointSource } from '../balancer/service-endpoint';
import { StaticEndpointSource } from '../balancer/static-endpoint-source';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { channelCredentials, channelOptions } from './grpc-channel';
import { GrpcClientTransport } from './grpc-client.transport';
import { GrpcServerTransport } from './grpc-server.transport';
import { GrpcSubchannel } from './grpc-subchannel';

interface ServiceChannels {
  balancer: Balancer<GrpcSubchannel>;
  stopWatching(): void;
}

/**
 * gRPC over HTTP/2, from each contract's .proto. Servers listen on their service's address; clients keep
 * GRPC_CHANNELS channels per instance of a target service (its address list, or the registry's instances when an endpoint
 * source is given; each reconnecting by itself) and balance calls over them. `close` shuts down every server
 * (letting in-flight calls finish) and closes every channel.
 */
export class GrpcDriver implements TransportDriver {
  readonly name = 'grpc' as const;
  private readonly servers = new Set<GrpcServerTransport>();
  private readonly services = new Map<string, ServiceChannels>();
  private readonly endpointSource: EndpointSource;

  constructor(
    private readonly config: TransportConfig,
    endpointSource?: EndpointSource,
  ) {
    this.endpointSource = endpointSource ?? new StaticEndpointSource(config.addresses);
  }

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const server = new GrpcServerTransport(this.config, contracts);
    this.servers.add(server);
    return server;
  }

  client(contract: ServiceContract): ClientTransport {
    return new GrpcClientTransport(contract.service, this.balancer(contract.service));
  }

  async close(): Promise<void> {
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map((server) => server.close()));
    for (const { balancer, stopWatching } of this.services.values()) {
      stopWatching();
      balancer.close();
    }
    this.services.clear();
  }

  /** The instances calls to `service` are balanced over, each with the calls it was sent (reports, tests). */
  balanced(service: string): readonly BalancedEndpoint<Subchannel>[] {
    return this.services.get(service)?.balancer.endpoints ?? [];
  }

  private balancer(service: string): Balancer<GrpcSubchannel> {
    let channels = this.services.get(service);
    if (!channels) {
      const balancer = new Balancer(this.config.balancing, (endpoint) => {
        const credentials = channelCredentials(this.config);
        const options = channelOptions(this.config);
        const clients = Array.from({ length: this.config.grpcChannels }, () => new Client(endpoint.address, credentials, options));
        return new GrpcSubchannel(clients);
      });
      const stopWatching = this.endpointSource.watch(service, (endpoints) => balancer.update(endpoints));
      channels = { balancer, stopWatching };
      this.services.set(service, channels);
    }
    return channels.balancer;
  }
}
