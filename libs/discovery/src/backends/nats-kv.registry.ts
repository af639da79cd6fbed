import { KV, KvEntry, NatsConnection } from 'nats';
import { NatsConnectionManager } from '@app/transport';
import type { DiscoveryConfig, RegistryTransportConfig } from '../registry/discovery-config';
import { HeartbeatRegistry } from '../registry/heartbeat-registry';
import { InstanceRecord, parseInstanceRecord } from '../registry/instance-record';
import type { WatchedService } from '../registry/watched-service';

const RETRY_WATCH_MS = 1000;
const codec = new TextEncoder();
const decoder = new TextDecoder();

/** A KV key token: the characters NATS allows in a key, without the dot that separates service and instance. */
const keyToken = (text: string) => text.replace(/[^A-Za-z0-9_=-]/g, '_');

/**
 * The registry in a NATS JetStream key-value bucket (`<namespace>_registry`, one history entry per key, entries
 * aged out by the bucket after the TTL): key `<service>.<instance>`, value the JSON record. Withdrawal deletes the
 * key, which every watcher sees at once; an instance that dies stops heartbeating and is dropped by watchers once
 * they have not seen it for the TTL (the bucket ages the entry out silently). Watching is a KV watch on
 * `<service>.>`, re-opened after the connection or the bucket comes back.
 */
export class NatsKvRegistry extends HeartbeatRegistry {
  readonly mode = 'nats' as const;
  private readonly connection: NatsConnectionManager;
  private bucket?: Promise<KV>;
  private bucketOf?: NatsConnection;

  constructor(config: DiscoveryConfig, transport: RegistryTransportConfig) {
    super(config, transport);
    this.connection = new NatsConnectionManager({ ...transport, instanceId: `${transport.instanceId}:discovery` }, 'discovery');
  }

  get bucketName(): string {
    return `${this.transport.namespace}_registry`;
  }

  protected async write(record: InstanceRecord): Promise<void> {
    const kv = await this.kv();
    await kv.put(this.key(record.service, record.instanceId), codec.encode(JSON.stringify(record)));
  }

  protected async erase(service: string, instanceId: string): Promise<void> {
    const kv = await this.kv();
    await kv.delete(this.key(service, instanceId));
  }

  async list(service: string): Promise<InstanceRecord[]> {
    const kv = await this.kv();
    const records: InstanceRecord[] = [];
    // Every key first: reading values while the key iterator runs ends it early. A key written again while the
    // iterator runs (a heartbeat) can be delivered twice, hence the set.
    const keys = new Set<string>();
    for await (const key of await kv.keys(`${keyToken(service)}.>`)) keys.add(key);
    for (const key of keys) {
      const entry = await kv.get(key);
      const record = entry && entry.operation === 'PUT' ? parseInstanceRecord(decoder.decode(entry.value)) : undefined;
      if (record && Date.now() - entry!.created.getTime() <= this.config.ttlMs) records.push(record);
    }
    return records;
  }

  protected follow(target: WatchedService): () => void {
    let stopped = false;
    let stopIterator: (() => void) | undefined;
    const run = async () => {
      while (!stopped && !this.closed) {
        try {
          const kv = await this.kv();
          const iterator = await kv.watch({ key: `${keyToken(target.service)}.>`, initializedFn: () => target.publish() });
          stopIterator = () => iterator.stop();
          if (stopped) iterator.stop();
          for await (const entry of iterator) this.apply(target, entry);
        } catch (error) {
          if (!stopped && !this.closed) this.log.debug(`watch of ${target.service} ended: ${(error as Error).message}`);
        }
        this.bucket = undefined;
        if (!stopped && !this.closed) await new Promise((resolve) => setTimeout(resolve, RETRY_WATCH_MS).unref());
      }
    };
    void run();
    return () => {
      stopped = true;
      stopIterator?.();
    };
  }

  protected async closeBackend(): Promise<void> {
    await this.connection.close();
  }

  private apply(target: WatchedService, entry: KvEntry): void {
    const instanceId = entry.key.slice(entry.key.indexOf('.') + 1);
    if (entry.operation !== 'PUT') {
      for (const record of target.current) if (keyToken(record.instanceId) === instanceId) target.remove(record.instanceId);
    } else {
      const record = parseInstanceRecord(decoder.decode(entry.value));
      if (!record || record.service !== target.service) return;
      target.upsert(record, entry.created.getTime());
    }
    target.publish();
  }

  private key(service: string, instanceId: string): string {
    return `${keyToken(service)}.${keyToken(instanceId)}`;
  }

  /** The bucket, created on first use with the TTL; opened again after the connection was replaced. */
  private async kv(): Promise<KV> {
    const nc = await this.connection.settled();
    if (!nc) throw new Error(`NATS at ${this.connection.url} is not reachable`);
    if (!this.bucket || this.bucketOf !== nc) {
      this.bucketOf = nc;
      this.bucket = nc.jetstream().views.kv(this.bucketName, { history: 1, ttl: this.config.ttlMs, replicas: this.config.replicas });
      this.bucket.catch(() => (this.bucket = undefined));
    }
    return this.bucket;
  }
}
