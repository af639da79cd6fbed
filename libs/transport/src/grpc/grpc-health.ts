import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ServiceContract } from '@app/contracts';

/**
 * The standard `grpc.health.v1.Health` service (Check and Watch) of one app's gRPC server: the whole server (`""`)
 * and each gRPC service it serves (`inventory.v1.Inventory`) are SERVING once it listens, and NOT_SERVING as soon as
 * it begins to stop, before it stops taking calls, so load balancers and `grpc_health_probe` see it go.
 */
export class GrpcHealth {
  private readonly health: HealthImplementation;
  private readonly names: string[];

  constructor(contracts: readonly ServiceContract[]) {
    this.names = ['', ...new Set(contracts.flatMap((contract) => [...contract.byPattern.values()].map((m) => m.grpcPath.split('/')[1])))];
    this.health = new HealthImplementation(Object.fromEntries(this.names.map((name) => [name, 'NOT_SERVING' as const])));
  }

  addTo(server: Server): void {
    this.health.addToServer(server);
  }

  serving(): void {
    for (const name of this.names) this.health.setStatus(name, 'SERVING');
  }

  notServing(): void {
    for (const name of this.names) this.health.setStatus(name, 'NOT_SERVING');
  }
}
