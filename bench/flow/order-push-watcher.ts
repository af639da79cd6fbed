import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { FinalStatus } from './flow-outcome';

/**
 * The bench's customer listening on the gateway's WebSocket push (`/v1/events`): remembers, per order, the first
 * final status (CONFIRMED or REJECTED) and when it arrived. A status can arrive before the POST's own answer.
 */
export class OrderPushWatcher {
  readonly finals = new Map<string, { status: FinalStatus; at: number }>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
  }

  /** Connects and waits for the gateway's `ready` message. */
  static open(httpUrl: string, token: string, timeoutMs = 10_000): Promise<OrderPushWatcher> {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no ready message on the push socket within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.terminate();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('unexpected-response', (_req, res) => fail(new Error(`push socket refused: HTTP ${res.statusCode}`)));
      socket.once('message', (data) => {
        const first = JSON.parse(String(data)) as { type?: string };
        if (first.type !== 'ready') return fail(new Error(`push socket: first message ${String(data).slice(0, 200)}`));
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', () => undefined);
        resolve(new OrderPushWatcher(socket));
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    const at = performance.now();
    const message = JSON.parse(text) as { type?: string; orderId?: string; status?: string };
    if (message.type !== 'order.status' || !message.orderId) return;
    if (message.status !== 'CONFIRMED' && message.status !== 'REJECTED') return;
    if (!this.finals.has(message.orderId)) this.finals.set(message.orderId, { status: message.status, at });
  }
}
