import type { Balancer } from '../balancer/balancer';
import type { ClientTransport, OutboundCall } from '../driver/transport-driver';
import { deadlineExceeded, unavailable } from '../status/rpc-error';
import type { GrpcSubchannel } from './grpc-subchannel';

/**
 * Sends calls of one contract as gRPC unary calls to the instance the service's balancer picks (shared, owned by
 * the driver) among the ready ones serving the contract's version. Before the first endpoint list arrived, or with
 * none ready but some still connecting, the call waits (up to its deadline); with none left, UNAVAILABLE at once.
 */
export class GrpcClientTransport implements ClientTransport {
  private closed = false;

  constructor(
    private readonly service: string,
    private readonly balancer: Balancer<GrpcSubchannel>,
  ) {}

  async send(call: OutboundCall): Promise<unknown> {
    const version = call.method.contract.version;
    if (!this.balancer.known) await this.firstList(call);
    for (;;) {
      if (this.closed) throw unavailable('client closed');
      const entry = this.balancer.pick(version);
      if (!entry) throw this.noInstance(version);
      if (entry.subchannel.state === 'ready') return this.balancer.send(entry, call);
      const connecting = this.balancer.serving(version).filter((e) => e.subchannel.state === 'connecting');
      const changed = await Promise.race(connecting.map((e) => e.subchannel.stateChange(call.deadline)));
      if (!changed && Date.now() >= call.deadline) throw deadlineExceeded(call.method.pattern);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Waits (up to the call's deadline) for the registry's first endpoint list. */
  private async firstList(call: OutboundCall): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, call.deadline - Date.now()))));
    await Promise.race([this.balancer.firstList, expired]);
    clearTimeout(timer);
    if (!this.balancer.known) throw deadlineExceeded(call.method.pattern);
  }

  private noInstance(version: string) {
    const serving = this.balancer.serving(version);
    if (serving.length === 0) return unavailable(`no instance of ${this.service} serving ${version}`);
    return unavailable(`cannot reach ${this.service} at ${serving.map((e) => e.address).join(', ')}`);
  }
}
