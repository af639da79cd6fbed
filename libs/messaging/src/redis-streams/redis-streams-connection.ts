import type { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a closing socket may take to end before it is destroyed. */
const DISCONNECT_TIMEOUT_MS = 100;

/** Reconnect forever: 100 ms, 200 ms, ... at most 2 s between attempts. */
const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 2000);

/** The URL without its password, for log lines. */
const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/**
 * Opens a connection of the bus: it reconnects forever with backoff, has no offline queue and never resends a
 * command after a reconnect, so a command issued while Redis is down fails at once and the caller decides (a
 * publish rejects, a consumer loop waits for `ready`). Logs once when the connection is lost or cannot be made,
 * and once when it is back.
 */
export function openConnection(url: string, name: string, log: Logger): Redis {
  const redis = new Redis(url, {
    retryStrategy: reconnectDelay,
    connectionName: name,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  const where = `Redis at ${redactUrl(url)}`;
  let lastError: Error | undefined;
  let down = false;
  let wasReady = false;
  redis.on('error', (error: Error) => (lastError = error));
  redis.on('reconnecting', () => {
    if (!down) {
      const what = wasReady ? `lost the connection ${name} to ${where}` : `waiting for ${where} (${name})`;
      log.warn(`${what}: ${lastError?.message || 'connection closed'}; reconnecting`);
    }
    down = true;
    wasReady = false;
    lastError = undefined;
  });
  redis.on('ready', () => {
    wasReady = true;
    if (!down) return;
    down = false;
    log.log(`connection ${name} to ${where} is back`);
  });
  return redis;
}

/**
 * Resolves true once the connection is ready, false if `timeoutMs` passes, the attempt in progress fails (when
 * `attemptOnly`) or the connection is closed for good. Leaves no listener or timer behind.
 */
export function whenReady(
  redis: Redis,
  options: { timeoutMs?: number; attemptOnly?: boolean; abort?: AbortSignal } = {},
): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  if (redis.status === 'end' || options.abort?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ready: boolean) => () => {
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      redis.off('close', onClose);
      options.abort?.removeEventListener('abort', onEnd);
      if (timer) clearTimeout(timer);
      resolve(ready);
    };
    const onReady = done(true);
    const onEnd = done(false);
    const onClose = options.attemptOnly ? onEnd : () => undefined;
    redis.once('ready', onReady);
    redis.once('end', onEnd);
    redis.on('close', onClose);
    options.abort?.addEventListener('abort', onEnd, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(onEnd, options.timeoutMs);
  });
}

/**
 * Closes a connection: politely (QUIT, after pending replies) when it is up, at once otherwise. Between two
 * reconnect attempts ioredis's `disconnect()` arms a timer for a socket that is already gone (redis/ioredis#1247),
 * so that case waits it out: when this resolves, the connection has no timer left.
 */
export async function closeConnection(redis: Redis): Promise<void> {
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
