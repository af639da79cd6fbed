import type { OutboundCall } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { LeastOutstandingPicker } from './least-outstanding.picker';
import { OutlierDetector, OutlierOptions } from './outlier-detector';
import type { Picker, PickerName } from './picker';
import { RoundRobinPicker } from './round-robin.picker';
import { servesVersion, ServiceEndpoint } from './service-endpoint';

/** How a subchannel can take a call: now, once its first connection attempt succeeds, or not at all. */
export type SubchannelState = 'ready' | 'connecting' | 'down';

/** The connection(s) to one instance, as the balancer sees them. */
export interface Subchannel {
  readonly state: SubchannelState;
  send(call: OutboundCall): Promise<unknown>;
  close(): void;
  /** Asked when a call found no instance to take it: a subchannel waiting out a reconnect backoff tries now. */
  reconnectNow?(): void;
}

export interface BalancingOptions {
  picker: PickerName;
  outlier: OutlierOptions;
  /**
   * Slow start: an instance that joins after the first list is considered for a growing share of the picks, from
   * 10% to all of them over this long, so a cold process (JIT, caches) is not handed a full share at once. 0: off.
   */
  slowStartMs: number;
}

/** One instance behind the balancer. */
export class BalancedEndpoint<S extends Subchannel> {
  outstanding = 0;
  /** Calls sent to this instance so far (for tests and reports). */
  sent = 0;
  /** Gone from the endpoint list: no new calls; its subchannel closes once the calls it carries settle. */
  removed = false;

  constructor(
    public endpoint: ServiceEndpoint,
    readonly subchannel: S,
    /** When it joined (epoch ms); 0 for the instances of the first list, which need no slow start. */
    readonly joinedAt = 0,
  ) {}

  get address(): string {
    return this.endpoint.address;
  }
}

/** Failures that say something about the instance, not about the request: they count towards ejection. */
const INSTANCE_FAILURES = new Set([StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED]);

const createPicker = (name: PickerName): Picker => (name === 'round_robin' ? new RoundRobinPicker() : new LeastOutstandingPicker());

/**
 * Client-side load balancing over the instances of one service: keeps one subchannel per instance in step with
 * the endpoint list (`update`, from the registry or a static list), picks an instance per call among those that
 * serve the call's contract version, are ready and not ejected (round robin or least outstanding requests), and
 * feeds each call's outcome to the outlier detector.
 */
export class Balancer<S extends Subchannel> {
  private readonly entries = new Map<string, BalancedEndpoint<S>>();
  private readonly picker: Picker;
  readonly outliers: OutlierDetector;
  private updated = false;
  private resolveFirstList!: () => void;
  /** Settles once the first endpoint list arrived (a registry answers a moment after the client is made). */
  readonly firstList = new Promise<void>((resolve) => (this.resolveFirstList = resolve));

  constructor(
    private readonly options: BalancingOptions,
    private readonly createSubchannel: (endpoint: ServiceEndpoint) => S,
  ) {
    this.picker = createPicker(options.picker);
    this.outliers = new OutlierDetector(options.outlier);
  }

  /** Replaces the endpoint list: new instances get a subchannel; gone ones close once their calls settled. True if it changed. */
  update(endpoints: readonly ServiceEndpoint[]): boolean {
    const next = new Map(endpoints.map((endpoint) => [endpoint.address, endpoint]));
    let changed = false;
    for (const [address, entry] of this.entries) {
      const endpoint = next.get(address);
      if (endpoint) {
        entry.endpoint = endpoint;
        continue;
      }
      this.entries.delete(address);
      this.outliers.forget(address);
      entry.removed = true;
      // Calls already on their way finish (a withdrawing instance drains them); then the connection closes.
      if (entry.outstanding === 0) entry.subchannel.close();
      changed = true;
    }
    const joinedAt = this.updated ? Date.now() : 0;
    this.updated = true;
    this.resolveFirstList();
    for (const [address, endpoint] of next) {
      if (this.entries.has(address)) continue;
      this.entries.set(address, new BalancedEndpoint(endpoint, this.createSubchannel(endpoint), joinedAt));
      changed = true;
    }
    return changed;
  }

  /** True once the first endpoint list arrived. */
  get known(): boolean {
    return this.updated;
  }

  get endpoints(): readonly BalancedEndpoint<S>[] {
    return [...this.entries.values()];
  }

  /** The instances serving `version`. */
  serving(version: string): BalancedEndpoint<S>[] {
    return this.endpoints.filter((entry) => servesVersion(entry.endpoint, version));
  }

  /**
   * The instance for a call of contract version `version`: a ready one if any (ejected ones only when all the
   * ready ones are), else one still making its first connection attempt; undefined when none can take it.
   */
  pick(version: string): BalancedEndpoint<S> | undefined {
    const serving = this.serving(version);
    for (const state of ['ready', 'connecting'] as const) {
      const usable = serving.filter((entry) => entry.subchannel.state === state);
      if (usable.length > 0) return this.picker.pick(this.warmedUp(this.outliers.filter(usable, (entry) => entry.address)));
    }
    // This call fails fast; the ones behind it find the instances that could be reached again connected.
    for (const entry of serving) entry.subchannel.reconnectNow?.();
    return undefined;
  }

  /** Slow start: each instance still in its window takes part in this pick with a probability growing to 1. */
  private warmedUp(candidates: readonly BalancedEndpoint<S>[]): readonly BalancedEndpoint<S>[] {
    const window = this.options.slowStartMs;
    if (window <= 0) return candidates;
    const now = Date.now();
    const taking = candidates.filter((entry) => {
      const share = Math.max(0.1, (now - entry.joinedAt) / window);
      return share >= 1 || Math.random() < share;
    });
    return taking.length > 0 ? taking : candidates;
  }

  /** Sends a call on the picked instance, counting it in flight and recording its outcome for outlier ejection. */
  async send(entry: BalancedEndpoint<S>, call: OutboundCall): Promise<unknown> {
    entry.outstanding++;
    entry.sent++;
    try {
      const result = await entry.subchannel.send(call);
      this.outliers.success(entry.address);
      return result;
    } catch (error) {
      if (error instanceof RpcError && INSTANCE_FAILURES.has(error.code)) this.outliers.failure(entry.address);
      else this.outliers.success(entry.address);
      throw error;
    } finally {
      entry.outstanding--;
      if (entry.removed && entry.outstanding === 0) entry.subchannel.close();
    }
  }

  close(): void {
    for (const entry of this.entries.values()) entry.subchannel.close();
    this.entries.clear();
  }
}
