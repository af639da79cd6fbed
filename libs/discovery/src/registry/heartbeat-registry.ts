import { Logger } from '@nestjs/common';
import type { ServedInstance, ServiceEndpoint } from '@app/transport';
import { advertisedAddress } from './advertised-address';
import type { DiscoveryConfig, RegistryTransportConfig } from './discovery-config';
import type { InstanceRecord } from './instance-record';
import type { DiscoveryMode, ServiceRegistry } from './service-registry';
import { WatchedService } from './watched-service';

/** At most one warning about failing heartbeats in this long. */
const WARN_EVERY_MS = 30_000;

/**
 * What the NATS KV and Redis registries share: the heartbeat loop of an announced instance (a write at once, then
 * every `heartbeatMs` with its current load; a failed write is logged and the next beat tries again), withdrawal
 * (the loop stops, the record is removed), and one watch per watched service fanned out to its listeners. A
 * backend writes, removes, and follows one service's records.
 */
export abstract class HeartbeatRegistry implements ServiceRegistry {
  abstract readonly mode: DiscoveryMode;
  protected readonly log: Logger;
  private instance?: ServedInstance;
  private startedAt = 0;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private lastWarnAt = 0;
  private failing = false;
  private written = false;
  private readonly watched = new Map<string, { service: WatchedService; stop(): void }>();
  protected closed = false;

  constructor(
    protected readonly config: DiscoveryConfig,
    protected readonly transport: RegistryTransportConfig,
  ) {
    this.log = new Logger('discovery');
  }

  /** Stores (or refreshes) a record with the TTL; `first` for the first write since it was announced. */
  protected abstract write(record: InstanceRecord, first: boolean): Promise<void>;
  /** Removes a record at once and lets watchers know. */
  protected abstract erase(service: string, instanceId: string): Promise<void>;
  /** Follows one service's records into `target`, calling `target.publish()` after changes; returns the stop. */
  protected abstract follow(target: WatchedService): () => void;
  abstract list(service: string): Promise<InstanceRecord[]>;
  protected abstract closeBackend(): Promise<void>;

  async announce(instance: ServedInstance): Promise<void> {
    if (this.closed) return;
    this.instance = instance;
    this.written = false;
    this.startedAt = Date.now();
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.heartbeatMs);
    this.timer.unref();
    this.log.log(`registered ${instance.service} ${this.transport.instanceId} (${instance.versions.join(', ')}) in ${this.mode}, heartbeat every ${this.config.heartbeatMs} ms`);
  }

  async withdraw(): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    this.instance = undefined;
    clearInterval(this.timer);
    await this.beating;
    await this.erase(instance.service, this.transport.instanceId).catch((error: Error) =>
      this.log.warn(`could not remove ${instance.service} ${this.transport.instanceId} from ${this.mode}: ${error.message}; it leaves within ${this.config.ttlMs} ms`),
    );
  }

  watch(service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void): () => void {
    let entry = this.watched.get(service);
    if (!entry) {
      const target = new WatchedService(service, this.config.ttlMs);
      const stopFollowing = this.follow(target);
      // Expiry on this side: an instance that stopped heartbeating leaves even if the backend does not say so.
      const sweep = setInterval(() => target.publish(), Math.max(100, Math.floor(this.config.ttlMs / 4)));
      sweep.unref();
      entry = { service: target, stop: () => (clearInterval(sweep), stopFollowing()) };
      this.watched.set(service, entry);
    }
    const removeListener = entry.service.addListener(listener);
    const watched = entry;
    return () => {
      removeListener();
      if (watched.service.size === 0 && this.watched.get(service) === watched) {
        this.watched.delete(service);
        watched.stop();
      }
    };
  }

  async close(): Promise<void> {
    await this.withdraw();
    this.closed = true;
    for (const entry of this.watched.values()) entry.stop();
    this.watched.clear();
    await this.closeBackend();
  }

  private beat(): Promise<void> {
    const instance = this.instance;
    if (!instance || this.beating) return this.beating ?? Promise.resolve();
    const stats = instance.stats();
    const address = advertisedAddress(instance.listenAddress, this.config.advertise);
    const record: InstanceRecord = {
      service: instance.service,
      instanceId: this.transport.instanceId,
      versions: [...instance.versions],
      transport: instance.transport,
      ...(address && { address }),
      ...(this.config.zone && { zone: this.config.zone }),
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      handled: stats.handled,
      inFlight: stats.inFlight,
    };
    this.beating = this.write(record, !this.written)
      .then(() => {
        this.written = true;
        if (this.failing) this.log.log(`heartbeats to ${this.mode} work again`);
        this.failing = false;
      })
      .catch((error: Error) => {
        this.failing = true;
        if (Date.now() - this.lastWarnAt < WARN_EVERY_MS) return;
        this.lastWarnAt = Date.now();
        this.log.warn(`heartbeat to ${this.mode} failed: ${error.message}; retrying every ${this.config.heartbeatMs} ms`);
      })
      .finally(() => (this.beating = undefined));
    return this.beating;
  }
}
