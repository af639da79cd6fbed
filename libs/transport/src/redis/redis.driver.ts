import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { closeConnection, ConnectionRole, openConnection, WriteBatch } from './redis-connection';
import { replyChannelPrefix, requestListKey } from './redis-keys';
import { RedisClientTransport } from './redis-client.transport';
import { RedisServerTransport } from './redis-server.transport';
import { ReplyRouter } from './reply-router';
import { ThrottledLog } from './throttled-log';

/**
 * RPC over Redis with competing consumers (unlike Nest's stock Redis transport, where every instance handles
 * every request): requests wait in one list per service and each is popped by exactly one instance; replies come
 * back over pub/sub on the caller's own channel. A missing service cannot be detected (the request just waits),
 * so such a call ends at its deadline. The driver opens, lazily, one command connection shared by its servers and
 * clients, one subscriber connection for its clients' replies and one blocking connection per server; `close`
 * closes them all.
 */
export class RedisDriver implements TransportDriver {
  readonly name = 'redis' as const;
  private readonly log = new ThrottledLog(new Logger('RedisTransport'));
  /** Tells apart drivers that share an instance id (several apps or tests in one process). */
  private readonly driverId = randomBytes(4).toString('hex');
  private commandConnection?: Redis;
  private writeBatch?: WriteBatch;
  private replyRouter?: ReplyRouter;
  private readonly servers = new Set<RedisServerTransport>();
  private readonly clients = new Set<RedisClientTransport>();
  private closing?: Promise<void>;

  constructor(private readonly config: TransportConfig) {}

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const { namespace, maxPayloadBytes } = this.config;
    const server = new RedisServerTransport({
      commands: this.commands(),
      writes: this.writes(),
      openBlocking: () => this.open('requests'),
      requestKey: requestListKey(namespace, contracts[0].service),
      replyPrefix: replyChannelPrefix(namespace),
      maxPayloadBytes,
      log: this.log,
    });
    this.servers.add(server);
    return server;
  }

  client(contract: ServiceContract): ClientTransport {
    const { namespace, instanceId, timeoutMs } = this.config;
    const client = new RedisClientTransport({
      commands: this.commands(),
      writes: this.writes(),
      replies: (this.replyRouter ??= new ReplyRouter(this.open('replies'), this.log)),
      requestKey: requestListKey(namespace, contract.service),
      replyChannel: `${replyChannelPrefix(namespace)}${instanceId}:${this.driverId}:${this.clients.size + 1}`,
      requestListTtlMs: Math.max(60_000, 4 * timeoutMs),
    });
    this.clients.add(client);
    return client;
  }

  checkReady(): void {
    const status = this.commandConnection?.status;
    if (status !== undefined && status !== 'ready') throw new Error(`Redis connection is ${status}`);
  }

  close(): Promise<void> {
    return (this.closing ??= this.closeAll());
  }

  private async closeAll(): Promise<void> {
    await Promise.all([...this.servers].map((server) => server.close()));
    await Promise.all([...this.clients].map((client) => client.close()));
    await Promise.all([this.replyRouter?.close(), this.commandConnection && closeConnection(this.commandConnection)]);
  }

  private commands(): Redis {
    return (this.commandConnection ??= this.open('commands'));
  }

  private writes(): WriteBatch {
    return (this.writeBatch ??= new WriteBatch(this.commands(), this.config.redisBatchWrites));
  }

  private open(role: ConnectionRole): Redis {
    const { redisUrl: url, tls, redisSentinel: sentinel, instanceId, redisCommandTimeoutMs } = this.config;
    // Only the commands connection never blocks (the server's BRPOP and the replies' SUBSCRIBE wait by design).
    const commandTimeoutMs = role === 'commands' ? redisCommandTimeoutMs : undefined;
    return openConnection({ url, tls, sentinel, commandTimeoutMs }, role, `switchboard:${role}:${instanceId}`, this.log);
  }
}
