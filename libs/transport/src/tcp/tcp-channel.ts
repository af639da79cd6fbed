import type { Logger } from '@nestjs/common';
import type { OutboundCall } from '../driver/transport-driver';
import { deadlineExceeded, RpcError, unavailable } from '../status/rpc-error';
import type { TransportTls } from '../tls/tls-config';
import type { TcpAddress } from './tcp-address';
import { TcpLink } from './tcp-link';

interface WaitingCall {
  call: OutboundCall;
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  timer: NodeJS.Timeout;
}

/**
 * The client side of one service: a persistent TcpLink per configured address, started on first use. Each call
 * goes to the next connected link (round robin), so the service's instances share the work. A call made while
 * no link is connected waits only for a first connection attempt still under way; otherwise it fails at once
 * with UNAVAILABLE.
 */
export class TcpChannel {
  private readonly links: TcpLink[];
  private ready: TcpLink[] = [];
  private cursor = 0;
  private started = false;
  private readonly waiting = new Set<WaitingCall>();

  constructor(
    private readonly service: string,
    addresses: readonly TcpAddress[],
    maxPayloadBytes: number,
    log: Logger,
    tls?: TransportTls,
  ) {
    this.links = addresses.map((address) => new TcpLink(address, service, maxPayloadBytes, log, () => this.onLinkChange(), tls));
  }

  send(call: OutboundCall): Promise<unknown> {
    if (!this.started) this.start();
    const ready = this.ready;
    if (ready.length > 0) {
      const index = this.cursor + 1 < ready.length ? this.cursor + 1 : 0;
      this.cursor = index;
      return ready[index].send(call);
    }
    if (this.links.some(isFirstAttempt)) return this.wait(call);
    return Promise.reject(this.noConnection());
  }

  close(): void {
    for (const link of this.links) link.close();
    this.rejectWaiting(unavailable('client closed'));
  }

  private start(): void {
    this.started = true;
    for (const link of this.links) link.start();
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

  private onLinkChange(): void {
    this.ready = this.links.filter((link) => link.state === 'ready');
    if (this.waiting.size === 0) return;
    if (this.ready.length > 0) {
      const waiting = [...this.waiting];
      this.waiting.clear();
      for (const waiter of waiting) {
        clearTimeout(waiter.timer);
        this.send(waiter.call).then(waiter.resolve, waiter.reject);
      }
    } else if (!this.links.some(isFirstAttempt)) {
      this.rejectWaiting(this.noConnection());
    }
  }

  private rejectWaiting(error: RpcError): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }

  private noConnection(): RpcError {
    return unavailable(`no connection to ${this.service} at ${this.links.map((link) => link.address.text).join(', ')}`);
  }
}

/** A connection attempt under way to an address not yet found unreachable: worth waiting for. */
const isFirstAttempt = (link: TcpLink) => link.state === 'connecting' && link.failures === 0;
