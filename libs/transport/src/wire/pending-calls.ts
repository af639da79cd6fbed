import { deadlineExceeded, RpcError } from '../status/rpc-error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  deadline: number;
  method: string;
}

/** Longest delay Node's timers take (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The calls a client transport has sent and not yet seen answered, by request id. Each one is rejected with
 * DEADLINE_EXCEEDED (or with what `onTimeout` says, e.g. UNAVAILABLE while disconnected) when its deadline
 * passes, so no call ever hangs.
 *
 * One timer serves all the calls, armed for the earliest deadline: a call costs no timer of its own (most calls
 * share one timeout, so a new call's deadline is rarely the earliest and the timer is rarely moved). When it fires,
 * every call past its deadline fails and the timer is armed again for the earliest one left. While nothing is
 * pending the timer stays (one call after another reuses it) but does not keep the process alive.
 */
export class PendingCalls {
  private readonly calls = new Map<string, Pending>();
  private seq = 0;
  private timer?: NodeJS.Timeout;
  /** When the timer fires (epoch ms), if armed. */
  private armedFor = Infinity;
  /** The timer is unref'd: no call is pending. */
  private idle = false;

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
      this.calls.set(id, { resolve, reject, deadline, method });
      if (deadline < this.armedFor) this.arm(deadline);
      else if (this.idle) {
        this.idle = false;
        this.timer?.ref();
      }
    });
  }

  /** Settles a call with a reply decoder's outcome; unknown (late) ids are ignored. */
  settle(id: string, decode: () => unknown): void {
    const call = this.take(id);
    if (!call) return;
    try {
      call.resolve(decode());
    } catch (error) {
      call.reject(error);
    }
  }

  fail(id: string, error: RpcError): void {
    this.take(id)?.reject(error);
  }

  failAll(error: RpcError): void {
    for (const id of [...this.calls.keys()]) this.fail(id, error);
  }

  private take(id: string): Pending | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    this.calls.delete(id);
    if (this.calls.size === 0 && this.timer) {
      this.idle = true;
      this.timer.unref();
    }
    return call;
  }

  private arm(deadline: number): void {
    clearTimeout(this.timer);
    this.armedFor = deadline;
    this.idle = false;
    this.timer = setTimeout(() => this.expire(), Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
  }

  /** Fails every call past its deadline, then arms the timer for the earliest deadline left. */
  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.idle = false;
    const now = Date.now();
    let earliest = Infinity;
    for (const [id, call] of this.calls) {
      if (call.deadline <= now) {
        this.calls.delete(id);
        call.reject(this.onTimeout(call.method));
      } else if (call.deadline < earliest) {
        earliest = call.deadline;
      }
    }
    if (earliest !== Infinity && earliest < this.armedFor) this.arm(earliest);
  }
}
