import { Client } from '@grpc/grpc-js';
import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { channelCredentials, channelOptions, channelTarget } from './grpc-channel';
import { GrpcClientTransport } from './grpc-client.transport';
import { GrpcServerTransport } from './grpc-server.transport';

/**
 * gRPC over HTTP/2, from each contract's .proto. Servers listen on their service's address; clients keep one
 * channel per target service (round robin over its addresses, reconnecting by itself). `close` shuts down every
 * server (letting in-flight calls finish) and closes every channel.
 */
export class GrpcDriver implements TransportDriver {
  readonly name = 'grpc' as const;
  private readonly servers = new Set<GrpcServerTransport>();
  private readonly channels = new Map<string, Client>();

  constructor(private readonly config: TransportConfig) {}

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const server = new GrpcServerTransport(this.config, contracts);
    this.servers.add(server);
    return server;
  }

  client(contract: ServiceContract): ClientTransport {
    return new GrpcClientTransport(this.channel(contract.service));
  }

  async close(): Promise<void> {
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map((server) => server.close()));
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private channel(service: string): Client {
    let channel = this.channels.get(service);
    if (!channel) {
      const target = channelTarget(service, this.config.addresses[service]);
      channel = new Client(target, channelCredentials(this.config), channelOptions(this.config));
      this.channels.set(service, channel);
    }
    return channel;
  }
}
