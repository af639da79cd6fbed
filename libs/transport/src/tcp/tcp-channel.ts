import type { Logger } from '@nestjs/common';
import { Balancer, BalancingOptions, Subchannel, SubchannelState } from '../balancer/balancer';
import type { ServiceEndpoint } from '../balancer/service-endpoint';
import type { OutboundCall } from '../driver/transport-driver';
import { deadlineExceeded, RpcError, unavailable } from '../status/rpc-error';
import type { TransportTls } from '../tls/tls-config';
import { parseTcpAddress } from './tcp-address';
import { TcpLink } from './tcp-link';

interface WaitingCall {
  call: OutboundCall;
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  timer: NodeJS.Timeout;
}

/** A TcpLink as the balancer sees it. */
class TcpSubchannel implements Subchannel {
  constructor(readonly link: TcpLink) {}

  get state(): SubchannelState {
    const { link } = this;
    if (link.state === 'ready') return 'ready';
    // A connection attempt under way to an address not yet found unreachable: worth waiting for.
    if ((link.state === 'connecting' || link.state === 'idle') && link.failures === 0) return 'connecting';
    return 'down';
  }

  send(call: OutboundCall): Promise<unknown> {
    return this.link.send(call);
  }

  reconnectNow(): void {
    this.link.reconnectNow();
  }

  close(): void {
    this.link.close();
  }
}

/**
 * The client side of one service: a persistent TcpLink per instance, kept in step with the service's endpoint
 * list (static, or from the registry), started on first use. Each call goes to the instance the balancer picks
 * among the connected ones serving the call's contract version (round robin or least outstanding, with outlier
 * ejection). A call made while no link is connected waits only for the first endpoint list or a first connection
 * attempt still under way; otherwise it fails at once with UNAVAILABLE.
 */
export class TcpChannel {
  private readonly balancer: Balancer<TcpSubchannel>;
  private started = false;
  private closed = false;
  private readonly waiting = new Set<WaitingCall>();

  constructor(
    private readonly service: string,
    maxPayloadBytes: number,
    log: Logger,
    balancing: BalancingOptions,
    tls?: TransportTls,
  ) {
    this.balancer = new Balancer(balancing, (endpoint) => {
      const link = new TcpLink(parseTcpAddress(endpoint.address), service, maxPayloadBytes, log, () => this.onLinkChange(), tls);
      return new TcpSubchannel(link);
    });
  }

  /** The instances this channel balances over, with their calls sent and in flight. */
  get endpoints() {
    return this.balancer.endpoints;
  }

  /** Replaces the instance list (registry updates): links to new instances open, links to gone ones close. */
  setEndpoints(endpoints: readonly ServiceEndpoint[]): void {
    if (this.closed) return;
    const first = !this.balancer.known;
    const changed = this.balancer.update(endpoints);
    // New links start once they are in the balancer, so their first state change finds them there.
    if (this.started) this.start();
    if (changed || first) this.onLinkChange();
  }

  send(call: OutboundCall): Promise<unknown> {
    if (this.closed) return Promise.reject(unavailable('client closed'));
    if (!this.started) this.start();
    // Before the registry's first answer nothing is known yet: wait for it rather than fail.
    if (!this.balancer.known) return this.wait(call);
    const entry = this.balancer.pick(call.method.contract.version);
    if (entry?.subchannel.state === 'ready') return this.balancer.send(entry, call);
    if (entry) return this.wait(call);
    return Promise.reject(this.noConnection(call));
  }

  close(): void {
    this.closed = true;
    this.balancer.close();
    this.rejectWaiting(unavailable('client closed'));
  }

  /** Starts every link not started yet (a link starts once). */
  private start(): void {
    this.started = true;
    for (const entry of this.balancer.endpoints) entry.subchannel.link.start();
  }

  private wait(call: OutboundCall): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: WaitingCall = {
        call,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          reject(deadlineExceeded(call.method.pattern));
        }, Math.max(0, call.deadline - Date.now())),
      };
      this.waiting.add(waiter);
    });
  }

  /** A link changed state: calls waiting for a first connection go now, or fail if none is left to wait for. */
  private onLinkChange(): void {
    if (this.waiting.size === 0) return;
    for (const waiter of [...this.waiting]) {
      const entry = this.balancer.pick(waiter.call.method.contract.version);
      if (entry?.subchannel.state === 'connecting') continue;
      this.waiting.delete(waiter);
      clearTimeout(waiter.timer);
      if (entry) this.balancer.send(entry, waiter.call).then(waiter.resolve, waiter.reject);
      else waiter.reject(this.noConnection(waiter.call));
    }
  }

  private rejectWaiting(error: RpcError): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }

  private noConnection(call: OutboundCall): RpcError {
    const version = call.method.contract.version;
    const serving = this.balancer.serving(version);
    if (serving.length === 0) {
      const known = this.balancer.endpoints.length;
      return unavailable(`no instance of ${this.service} serving ${version}${known ? ` (${known} serve other versions)` : ''}`);
    }
    return unavailable(`no connection to ${this.service} at ${serving.map((entry) => entry.address).join(', ')}`);
  }
}
