import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeConnection, openConnection, RpcError, StatusCode, ThrottledLog, whenReady } from '@app/transport';
import type { EventBus, OutgoingEvent, Subscription, SubscriptionHandle, TapHandle, TapListener } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import {
  consumerName,
  retryConsumerName,
  seenKey,
  STREAM_MAX_LEN,
  streamKey,
} from './redis-streams-keys';
import { RedisStreamsSubscription } from './redis-streams-subscription';
import { RedisStreamsTap } from './redis-streams-tap';
import { StreamCommands } from './stream-commands';
import { DEFAULT_TIMING, RedisStreamsTiming } from './redis-streams-timing';
import { encodeMetadata } from './stream-event';
import { openTap } from '../tap/open-tap';

/** How long a publish made while the connection is being (re)established waits for it. */
const CONNECT_WAIT_MS = 3_000;
/** Error replies of a Redis that cannot take writes right now (loading, failing over, busy with a script). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|READONLY|NOREPLICAS)\b/;

/**
 * The event bus on Redis Streams (Redis >= 6.2; 7 advised): a stream per event type, a consumer group per
 * subscribing service on each stream it reads, an instance = a consumer of its group (see
 * RedisStreamsSubscription for delivery, retries and dead instances). `publish` de-duplicates by event id within
 * two minutes and resolves once Redis has stored the event (durable across a crash when Redis runs with
 * `appendfsync always`); while Redis is unreachable it rejects at once with UNAVAILABLE, and the caller retries.
 * One command connection for publishing and settling, plus one blocking connection per subscription and per tap
 * (RedisStreamsTap: XREAD, no group).
 */
export class RedisStreamsEventBus implements EventBus {
  readonly name = 'redis' as const;
  private readonly log = new Logger('RedisStreamsEventBus');
  private readonly connection: Redis;
  private readonly commands: StreamCommands;
  private readonly subscriptions = new Set<RedisStreamsSubscription>();
  private readonly taps = new Set<RedisStreamsTap>();
  private tapSerial = 0;
  private readonly consumersPerGroup = new Map<string, number>();
  private closing?: Promise<void>;

  private readonly timing: RedisStreamsTiming;
  /** The connection attempt publishes wait for (one wait shared by all of them). */
  private attempt?: Promise<boolean>;

  constructor(
    private readonly config: EventBusConfig,
    timing: Partial<RedisStreamsTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.connection = this.open('commands', config.redisCommandTimeoutMs);
    this.commands = new StreamCommands(this.connection);
  }

  checkReady(): void {
    if (this.connection.status !== 'ready') throw new Error(`Redis connection is ${this.connection.status}`);
  }

  async publish(event: OutgoingEvent): Promise<void> {
    const { namespace } = this.config;
    if (this.closing) throw new RpcError(StatusCode.UNAVAILABLE, 'the event bus is closed');
    if (!(await this.connected())) {
      throw new RpcError(StatusCode.UNAVAILABLE, `cannot publish ${event.type} ${event.id}: Redis is unreachable`);
    }
    try {
      await this.commands.publish(streamKey(namespace, event.type), seenKey(namespace, event.type, event.id), {
        windowMs: this.config.duplicateWindowMs,
        maxLen: STREAM_MAX_LEN,
        id: event.id,
        metadata: encodeMetadata(event.metadata),
        body: event.body,
      });
      await this.replicated();
    } catch (error) {
      // Redis's own error replies are ReplyErrors (some only say "not now"); anything else is the connection failing.
      const refused = error instanceof Error && error.name === 'ReplyError' && !TRANSIENT_REPLY.test(error.message);
      const message = `cannot publish ${event.type} ${event.id}: ${error instanceof Error ? error.message : String(error)}`;
      throw new RpcError(refused ? StatusCode.INTERNAL : StatusCode.UNAVAILABLE, message);
    }
  }

  /**
   * With REDIS_WAIT_REPLICAS: waits until that many replicas have this connection's writes so far (the event just
   * stored among them), or fails. Redis replicates asynchronously: without it, a master killed right after an XADD
   * can take the event with it when Sentinel promotes a replica that had not received it yet.
   */
  private async replicated(): Promise<void> {
    const { redisWaitReplicas: wanted = 0, redisWaitTimeoutMs: timeoutMs = 1000 } = this.config;
    if (!wanted) return;
    const acknowledged = Number(await this.connection.call('WAIT', wanted, timeoutMs));
    if (acknowledged < wanted) {
      throw new Error(`stored on the master but acknowledged by ${acknowledged} of ${wanted} replicas within ${timeoutMs} ms`);
    }
  }

  async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    if (this.closing) throw new Error('the event bus is closed');
    const { namespace, instanceId } = this.config;
    const serial = (this.consumersPerGroup.get(subscription.group) ?? 0) + 1;
    this.consumersPerGroup.set(subscription.group, serial);
    const consumer = consumerName(namespace, instanceId, serial);
    const handle = new RedisStreamsSubscription({
      subscription,
      streams: new Map(subscription.types.map((type) => [streamKey(namespace, type), type])),
      consumer,
      retryConsumer: retryConsumerName(namespace),
      blocking: this.open(subscription.group),
      commands: this.commands,
      log: this.log,
      timing: this.timing,
    });
    this.subscriptions.add(handle);
    try {
      await handle.start();
    } catch (error) {
      this.subscriptions.delete(handle);
      await handle.close();
      throw error;
    }
    return {
      close: async () => {
        await handle.close();
        this.subscriptions.delete(handle);
      },
    };
  }

  async tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle> {
    if (this.closing) throw new Error('the event bus is closed');
    const { namespace } = this.config;
    const tap = new RedisStreamsTap({
      streams: new Map(types.map((type) => [streamKey(namespace, type), type])),
      blocking: this.open(`tap-${++this.tapSerial}`),
      onEvent,
      log: this.log,
    });
    return openTap(this.taps, tap);
  }

  close(): Promise<void> {
    return (this.closing ??= this.closeAll());
  }

  private async closeAll(): Promise<void> {
    await Promise.all([...this.taps].map((t) => t.close()));
    this.taps.clear();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await closeConnection(this.connection);
  }

  /** Ready now, or once the connection attempt in progress succeeds; false at once between attempts (Redis down). */
  private async connected(): Promise<boolean> {
    const { status } = this.connection;
    if (status === 'ready') return true;
    if (status !== 'wait' && status !== 'connecting' && status !== 'connect') return false;
    return (this.attempt ??= whenReady(this.connection, { timeoutMs: CONNECT_WAIT_MS, attemptOnly: true })
      .then(() => true, () => false)
      .finally(() => (this.attempt = undefined)));
  }

  /**
   * A connection of the bus (role `requests`): a command issued while Redis is down fails at once and is never
   * resent, so the caller decides (a publish rejects, a consumer loop waits for `ready`). Logs once when the
   * connection is lost or cannot be made, and once when it is back.
   */
  private open(role: string, commandTimeoutMs?: number): Redis {
    const { redisUrl: url, tls, redisSentinel: sentinel, namespace, instanceId } = this.config;
    const name = `${namespace}:events:${role}:${instanceId}`;
    return openConnection({ url, tls, sentinel, commandTimeoutMs }, 'requests', name, new ThrottledLog(this.log, Infinity), `connection ${name}`);
  }
}
