import Redis, { RedisOptions } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportTls } from '../tls/tls-config';
import { tlsClientOptions } from '../tls/tls-options';
import type { ThrottledLog } from './throttled-log';

/** How long a closing socket may take to end before it is destroyed. */
const DISCONNECT_TIMEOUT_MS = 100;
/** How long closing waits for a TLS connection attempt under way to succeed or fail. */
const TLS_ATTEMPT_SETTLE_MS = 1000;
/** How long closing waits for a connection attempt under way through the sentinels to notice (its retry delay). */
const SENTINEL_ATTEMPT_SETTLE_MS = 2500;

/** Reconnect forever: 100 ms, 200 ms, ... at most 2 s between attempts. */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 2000);

/**
 * The kinds of connection, each tuned for its job:
 * - `commands` (one per driver): client LPUSHes and server PUBLISHes. No offline queue, and an in-flight command
 *   fails when the connection drops, so a call made while Redis is down fails at once (UNAVAILABLE).
 * - `replies` (one per driver with clients): the subscriber. Queues its SUBSCRIBEs until connected and
 *   resubscribes by itself after a reconnect.
 * - `requests` (one per server; also every event bus connection): fails fast and never resends a command after a
 *   reconnect, so the caller decides (a blocking loop waits for `ready` itself).
 */
const ROLE_OPTIONS = {
  commands: { enableOfflineQueue: false, maxRetriesPerRequest: 0 },
  replies: { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true },
  requests: { enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false },
} satisfies Record<string, RedisOptions>;

export type ConnectionRole = keyof typeof ROLE_OPTIONS;

/** The URL without its password, for log lines. */
export const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** Redis behind Sentinel: the sentinels to ask, and the name they know the master by. */
export interface RedisSentinel {
  sentinels: { host: string; port: number }[];
  /** The monitored master's name (REDIS_SENTINEL_NAME, `sentinel monitor <name> ...`). */
  name: string;
  /** The sentinels' own password (`requirepass` in their configuration), if they require one. */
  password?: string;
}

/**
 * Where Redis is: its URL (`redis://`, or `rediss://` for TLS), and the TLS material if any. With `sentinel`, the
 * master is found through the sentinels (and followed when they fail over); the URL still gives the scheme, user,
 * password and database, and its host and port are ignored.
 */
export interface RedisEndpoint {
  url: string;
  tls?: TransportTls;
  sentinel?: RedisSentinel;
  /**
   * A command without an answer after this long fails ("Command timed out"): a Redis that stops answering with its
   * connections open (frozen, partitioned) cannot hold a caller past its deadline (REDIS_COMMAND_TIMEOUT_MS). Give it
   * only to connections whose commands never block (BLPOP, XREADGROUP BLOCK wait as long as they say).
   */
  commandTimeoutMs?: number;
}

/**
 * ioredis's TLS options: with TLS material, TLS with this service's certificate and the server's checked against
 * the CA (and TLS_SERVER_NAME if set), whatever the URL's scheme; without, none (a `rediss://` URL still gives TLS
 * against the system CAs, by ioredis).
 */
export function redisTlsOptions(tls: TransportTls | undefined): Pick<RedisOptions, 'tls'> {
  return tls ? { tls: tlsClientOptions(tls) } : {};
}

/** Replies of a master demoted since the connection reached it: a write refused, a blocked read cut short. */
const DEMOTED = /^(READONLY|UNBLOCKED)\b/;

/**
 * ioredis's Sentinel options. A connection asks the sentinels in turn for the master's address, connects there
 * (checking the server's role), and on every reconnect asks again, so after a failover it lands on the promoted
 * replica. A master demoted while still up (a manual failover, a healed partition) answers writes READONLY and
 * unblocks blocked reads with UNBLOCKED: either makes the connection reconnect, through the sentinels. ioredis's
 * `failoverDetector` is left off: its `+switch-master` disconnect, landing while a reconnect attempt asks a
 * sentinel, ends the connection for good (status `end`, no further attempt). ioredis walks the sentinels across
 * attempts and, once it went through them all, starts again after a delay (the same backoff); meanwhile the attempt
 * is in progress and each round that found no sentinel is an `error` event. With TLS (TLS material, or a
 * `rediss://` URL), both the sentinels and the master are reached over TLS.
 */
export function redisSentinelOptions(url: string, tls: TransportTls | undefined, sentinel: RedisSentinel): RedisOptions {
  const secure = tls !== undefined || url.startsWith('rediss:');
  const tlsOptions = tls ? tlsClientOptions(tls) : secure ? {} : undefined;
  return {
    sentinels: sentinel.sentinels,
    name: sentinel.name,
    ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
    ...(tlsOptions ? { tls: tlsOptions, sentinelTLS: tlsOptions, enableTLSForSentinelMode: true } : {}),
    sentinelRetryStrategy: reconnectDelay,
    failoverDetector: false,
    reconnectOnError: (error: Error) => DEMOTED.test(error.message),
  };
}

/** Where a connection goes, for log lines (no password). */
export const describeEndpoint = (url: string, sentinel?: RedisSentinel) =>
  sentinel
    ? `Redis master "${sentinel.name}" (sentinels ${sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(',')})`
    : `Redis at ${redactUrl(url)}`;

/**
 * Opens a connection that reconnects forever with backoff, logging (through `log`, kind `connection`) while Redis
 * cannot be reached and once when it is back. `label` names the connection in those lines.
 */
export function openConnection(
  endpoint: string | RedisEndpoint,
  role: ConnectionRole,
  name: string,
  log: ThrottledLog,
  label = `${role} connection`,
): Redis {
  const { url, tls, commandTimeoutMs, sentinel }: RedisEndpoint = typeof endpoint === 'string' ? { url: endpoint } : endpoint;
  const redis = new Redis(url, {
    retryStrategy: reconnectDelay,
    connectionName: name,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    ...(sentinel ? redisSentinelOptions(url, tls, sentinel) : redisTlsOptions(tls)),
    ...ROLE_OPTIONS[role],
    ...(commandTimeoutMs !== undefined ? { commandTimeout: commandTimeoutMs } : {}),
  });
  const where = describeEndpoint(url, sentinel);
  let lastError: Error | undefined;
  let down = false;
  let wasReady = false;
  redis.on('error', (error: Error) => {
    lastError = error;
    // A whole round of sentinels without an answer happens inside one connection attempt (no `reconnecting`).
    if (sentinel && error.message.startsWith('All sentinels are unreachable')) {
      down = true;
      log.warn('connection', `waiting for ${where} (${label}): ${error.message}`);
    }
  });
  redis.on('reconnecting', (delayMs: number) => {
    const what = wasReady ? `lost the ${label} to ${where}` : `waiting for ${where} (${label})`;
    const reason = lastError?.message || 'connection closed';
    down = true;
    wasReady = false;
    lastError = undefined;
    log.warn('connection', `${what}: ${reason}; retrying in ${delayMs / 1000}s`);
  });
  redis.on('ready', () => {
    wasReady = true;
    if (!down) return;
    down = false;
    log.reset('connection');
    log.logger.log(`${label} to ${where} is back`);
  });
  return redis;
}

/**
 * Coalesces the commands sent on one connection in one turn of the event loop into one socket write: the first
 * command of a turn corks the socket, and the socket is uncorked (one writev) once the turn's I/O callbacks ran.
 * Each command stays an ordinary command (its own reply, error and offline-queue rules); only the syscalls are
 * shared, which is most of a small command's cost. Call `hold()` just before sending a command.
 */
export class WriteBatch {
  private corked?: { uncork(): void };

  constructor(
    private readonly redis: Redis,
    private readonly enabled = true,
  ) {}

  hold(): void {
    if (this.corked || !this.enabled || this.redis.status !== 'ready') return;
    const stream = this.redis.stream;
    if (!stream?.writable) return;
    stream.cork();
    this.corked = stream;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };
}

export interface WhenReadyOptions {
  /** Gives up after this long. */
  timeoutMs?: number;
  /** Gives up when the connection attempt in progress fails (instead of waiting for the next ones). */
  attemptOnly?: boolean;
  /** Gives up when aborted. */
  abort?: AbortSignal;
}

/**
 * Resolves once the connection is ready; rejects if it is closed for good first, or gives up as `options` say.
 * Leaves no listener or timer behind.
 */
export function whenReady(redis: Redis, options: WhenReadyOptions = {}): Promise<void> {
  const { timeoutMs, attemptOnly, abort } = options;
  if (redis.status === 'ready') return Promise.resolve();
  if (abort?.aborted) return Promise.reject(new Error('stopped waiting for the Redis connection'));
  return new Promise((resolve, reject) => {
    const settle = (error?: string) => () => {
      redis.off('ready', ready);
      redis.off('end', ended);
      redis.off('close', attemptFailed);
      abort?.removeEventListener('abort', aborted);
      clearTimeout(timer);
      if (error) reject(new Error(error));
      else resolve();
    };
    const ready = settle();
    const ended = settle('the Redis connection was closed');
    const attemptFailed = settle('the Redis connection attempt failed');
    const aborted = settle('stopped waiting for the Redis connection');
    redis.once('ready', ready);
    redis.once('end', ended);
    if (attemptOnly) redis.once('close', attemptFailed);
    abort?.addEventListener('abort', aborted, { once: true });
    const timedOut = settle(`the Redis connection was not ready within ${timeoutMs} ms`);
    const timer = timeoutMs === undefined ? undefined : setTimeout(timedOut, timeoutMs);
  });
}

/**
 * Closes a connection: politely (QUIT, after pending replies) when it is up, at once otherwise (a TLS connection
 * being made first gets a moment to be made or fail). Between two reconnect attempts ioredis's `disconnect()`
 * arms a timer for a socket that is already gone (redis/ioredis#1247), so that case waits it out: when this
 * resolves, the connection has no timer left.
 */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.options.sentinels && redis.status === 'connecting') {
    // Asking the sentinels: the attempt ends (and its retry timer with it) only at its next step.
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(done, SENTINEL_ATTEMPT_SETTLE_MS);
      function done() {
        clearTimeout(timer);
        redis.off('end', done);
        resolve();
      }
      redis.once('end', done);
    });
    redis.disconnect();
    await ended;
  }
  await closeRedis(redis);
  // Through Sentinel, ioredis releases what its connector holds only in `disconnect()` (on an ended connection it
  // does nothing else), not on QUIT.
  if (redis.options.sentinels) redis.disconnect();
}

async function closeRedis(redis: Redis): Promise<void> {
  if (redis.options.tls && (redis.status === 'connecting' || redis.status === 'connect')) {
    // A TLS socket cut in the middle of its handshake can emit a second error after ioredis stopped listening
    // (an uncaught exception): let the attempt end first, briefly.
    await whenReady(redis, { timeoutMs: TLS_ATTEMPT_SETTLE_MS, attemptOnly: true }).catch(() => undefined);
  }
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    const ended = new Promise((resolve) => redis.once('end', resolve));
    await redis.quit().catch(() => redis.disconnect());
    await ended;
    return;
  }
  const betweenAttempts = redis.status === 'reconnecting';
  redis.disconnect();
  if (betweenAttempts) await sleep(DISCONNECT_TIMEOUT_MS + 10);
}
