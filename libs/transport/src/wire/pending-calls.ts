import { deadlineExceeded, RpcError } from '../status/rpc-error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  method: string;
}

/**
 * The calls a client transport has sent and not yet seen answered, by request id. Each one is rejected with
 * DEADLINE_EXCEEDED (or with what `onTimeout` says, e.g. UNAVAILABLE while disconnected) when its deadline
 * passes, so no call ever hangs.
 */
export class PendingCalls {
  private readonly calls = new Map<string, Pending>();
  private seq = 0;

  constructor(
    private readonly prefix = '',
    private readonly onTimeout: (method: string) => RpcError = deadlineExceeded,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  nextId(): string {
    this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER;
    return this.prefix + this.seq.toString(36);
  }

  /** Registers a call; the returned promise settles on `settle`, `fail` or at the deadline. */
  register(id: string, method: string, deadline: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(this.onTimeout(method));
      }, Math.max(0, deadline - Date.now()));
      this.calls.set(id, { resolve, reject, timer, method });
    });
  }

  /** Settles a call with a reply decoder's outcome; unknown (late) ids are ignored. */
  settle(id: string, decode: () => unknown): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    clearTimeout(call.timer);
    try {
      call.resolve(decode());
    } catch (error) {
      call.reject(error);
    }
  }

  fail(id: string, error: RpcError): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    clearTimeout(call.timer);
    call.reject(error);
  }

  failAll(error: RpcError): void {
    for (const id of [...this.calls.keys()]) this.fail(id, error);
  }
}
