import type Redis from 'ioredis';
import type { Dispatch, ServerTransport } from '../driver/transport-driver';
import { sanitizeMetadata } from '../metadata/metadata';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { InFlight } from '../wire/in-flight';
import { decodeRequestBody, encodeErrorReply, encodePayload } from '../wire/json-codec';
import { closeConnection, whenReady, WriteBatch } from './redis-connection';
import { isMalformed, MalformedRequest, readRequest, RedisRequest, resultReply, wrapReply } from './redis-envelope';
import type { ThrottledLog } from './throttled-log';

/** Most requests one instance runs at once; past it, it pops no more and leaves the work to other instances. */
const MAX_IN_FLIGHT = 256;
/**
 * How many requests one pop may take: after a pop that came back with n, up to 2n, within these bounds. Under a
 * backlog an instance takes big batches (fewer round trips); a burst on idle instances is shared out in small ones.
 */
const MIN_POP = 8;
const MAX_POP = 32;
/** A pop blocks this long at most (close() unblocks it sooner). */
const BLOCK_SECONDS = 5;
const RETRY_AFTER_ERROR_MS = 1000;

export interface RedisServerOptions {
  /** The driver's command connection: publishes replies and unblocks the pop loop at close. */
  commands: Redis;
  /** Coalesces the writes on `commands` (the replies of one batch go out in one write). */
  writes: WriteBatch;
  /** Opens this server's own connection for blocking pops. */
  openBlocking: () => Redis;
  requestKey: string;
  replyPrefix: string;
  maxPayloadBytes: number;
  log: ThrottledLog;
}

/**
 * One instance of a service: a loop pops requests from the service's list (BLMPOP; each request goes to exactly
 * one instance) and runs them concurrently, replying on each caller's channel. A request whose deadline passed
 * while it waited is dropped unrun: its caller has given up. The loop survives Redis restarts. `close` stops the
 * loop without losing a popped request (CLIENT UNBLOCK ends the pending pop as a timeout), then lets in-flight
 * calls finish.
 */
export class RedisServerTransport implements ServerTransport {
  private readonly inFlight = new InFlight();
  private blocking?: Redis;
  /** The blocking connection's CLIENT ID on its current connection, to unblock it. */
  private blockingId?: number;
  private loop?: Promise<void>;
  private wake?: () => void;
  private stopping = false;
  private closed?: Promise<void>;
  private useBrpop = false;
  private popCount = MIN_POP;

  constructor(private readonly options: RedisServerOptions) {}

  async listen(dispatch: Dispatch): Promise<void> {
    const blocking = this.options.openBlocking();
    this.blocking = blocking;
    blocking.on('close', () => (this.blockingId = undefined));
    const connected = Promise.all([whenReady(blocking), whenReady(this.options.commands)]);
    await this.idle((wake) => void connected.then(wake, wake));
    if (this.stopping) throw new Error('the server was closed before Redis was reachable');
    this.loop = this.run(blocking, dispatch);
  }

  close(): Promise<void> {
    return (this.closed ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.loop) await this.stopLoop(this.loop);
    await this.inFlight.drain();
    if (this.blocking) await closeConnection(this.blocking);
  }

  private async run(blocking: Redis, dispatch: Dispatch): Promise<void> {
    while (!this.stopping) {
      if (blocking.status !== 'ready') {
        await this.idle((wake) => {
          blocking.once('ready', wake);
          return () => blocking.off('ready', wake);
        });
      } else if (this.inFlight.size >= MAX_IN_FLIGHT) {
        await this.idle();
      } else {
        const requests = await this.pop(blocking);
        const now = Date.now();
        for (const text of requests) this.accept(text, now, dispatch);
      }
    }
  }

  /** Pops the next requests; none when the pop timed out, was unblocked or failed. */
  private async pop(blocking: Redis): Promise<string[]> {
    try {
      this.blockingId ??= await blocking.client('ID');
      if (this.stopping) return [];
      if (this.useBrpop) {
        const popped = await blocking.brpop(this.options.requestKey, BLOCK_SECONDS);
        return popped ? [popped[1]] : [];
      }
      const count = Math.min(this.popCount, MAX_IN_FLIGHT - this.inFlight.size);
      const popped = await blocking.blmpop(BLOCK_SECONDS, 1, this.options.requestKey, 'RIGHT', 'COUNT', count);
      const requests = popped ? popped[1] : [];
      this.popCount = Math.min(MAX_POP, Math.max(MIN_POP, 2 * requests.length));
      return requests;
    } catch (error) {
      await this.popFailed(blocking, error instanceof Error ? error.message : String(error));
      return [];
    }
  }

  private async popFailed(blocking: Redis, message: string): Promise<void> {
    if (this.stopping || blocking.status !== 'ready') return; // the connection log tells about outages
    if (!this.useBrpop && /unknown command/i.test(message)) {
      this.useBrpop = true;
      this.options.log.logger.log('this Redis has no BLMPOP (Redis < 7): popping one request at a time with BRPOP');
      return;
    }
    this.options.log.warn('pop', `cannot pop requests from ${this.options.requestKey}: ${message}`);
    await this.idle((wake) => {
      const timer = setTimeout(wake, RETRY_AFTER_ERROR_MS);
      return () => clearTimeout(timer);
    });
  }

  private accept(text: string, now: number, dispatch: Dispatch): void {
    const request = readRequest(text, this.options.replyPrefix);
    if (isMalformed(request)) return this.refuse(request);
    if (request.deadline <= now) return; // the caller has given up: running it would be wasted work
    void this.inFlight.track(() => this.serve(request, dispatch));
  }

  private async serve(request: RedisRequest, dispatch: Dispatch): Promise<void> {
    const { maxPayloadBytes } = this.options;
    let reply: string;
    try {
      const payload = decodeRequestBody(request.body, maxPayloadBytes);
      const metadata = sanitizeMetadata(request.metadata);
      const result = await dispatch({ method: request.method, payload, metadata });
      reply = resultReply(request.id, encodePayload(result ?? {}, maxPayloadBytes, 'response payload'));
    } catch (error) {
      reply = wrapReply(request.id, encodeErrorReply(RpcError.from(error)));
    }
    await this.publish(request.replyTo, reply);
    this.wake?.();
  }

  private refuse(request: MalformedRequest): void {
    const message = `malformed request on ${this.options.requestKey}: ${request.problem}`;
    if (request.id === undefined || request.replyTo === undefined) {
      return this.options.log.warn('malformed', `dropped a ${message}`);
    }
    const reply = encodeErrorReply(new RpcError(StatusCode.INVALID_ARGUMENT, message));
    void this.publish(request.replyTo, wrapReply(request.id, reply));
  }

  private async publish(channel: string, reply: string): Promise<void> {
    try {
      this.options.writes.hold();
      await this.options.commands.publish(channel, reply);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log.warn('publish', `could not send a reply: ${reason}`);
    }
  }

  /** Ends the loop: unblocks its pending pop (as a timeout, so nothing popped is lost), or cuts it if Redis is down. */
  private async stopLoop(loop: Promise<void>): Promise<void> {
    let ended = false;
    void loop.then(() => (ended = true));
    const { commands } = this.options;
    for (let attempt = 0; attempt < 50 && !ended; attempt++) {
      if (this.blockingId === undefined || commands.status !== 'ready' || this.blocking?.status !== 'ready') break;
      await commands.client('UNBLOCK', this.blockingId, 'TIMEOUT').catch(() => undefined);
      await settledWithin(loop, 20);
    }
    if (!ended) this.blocking?.disconnect();
    await loop;
  }

  /** Waits until `wake` is called: by `close`, by a finished call, or by what `until` arranges. */
  private idle(until?: (wake: () => void) => (() => void) | void): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        if (this.wake === wake) this.wake = undefined;
        stopWaiting?.();
        resolve();
      };
      this.wake = wake;
      const stopWaiting = until?.(wake);
    });
  }
}

/** Waits for `work` to settle, but at most `ms`; leaves no timer behind. */
function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}
