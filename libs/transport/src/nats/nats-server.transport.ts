import { Logger } from '@nestjs/common';
import { Msg, Subscription } from 'nats';
import type { TransportConfig } from '../config/transport-config';
import type { Dispatch, ServerTransport } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { InFlight } from '../wire/in-flight';
import { decodeRequestBody, encodeErrorReply, encodeReply, tooLarge } from '../wire/json-codec';
import type { NatsConnectionManager } from './nats-connection';
import type { NatsPublishBatch } from './nats-publish-batch';
import { requestMetadata } from './nats-metadata';
import { NatsSubjects } from './nats-subjects';

const DRAIN_TIMEOUT_MS = 2000;

/**
 * Serves one service: subscribes to `<ns>.rpc.<service>.>` in the service's queue group, so each call reaches
 * exactly one instance (an unknown method too: the dispatcher answers UNIMPLEMENTED). The method is the subject
 * after the prefix, the metadata the headers, the body the JSON payload; the reply is a JSON body. `close` drains
 * the subscription (no new calls), then waits for the calls in flight.
 */
export class NatsServerTransport implements ServerTransport {
  private readonly inFlight = new InFlight();
  private readonly prefix: string;
  private readonly log: Logger;
  private subscription?: Subscription;
  private closed = false;

  constructor(
    private readonly service: string,
    private readonly config: TransportConfig,
    private readonly connection: NatsConnectionManager,
    private readonly batch: NatsPublishBatch,
  ) {
    this.prefix = NatsSubjects.rpcPrefix(config.namespace, service);
    this.log = new Logger(`${service}:nats`);
  }

  async listen(dispatch: Dispatch): Promise<void> {
    const nc = await this.connection.connected();
    if (this.closed) return;
    this.subscription = nc.subscribe(`${this.prefix}>`, {
      queue: NatsSubjects.queueGroup(this.config.namespace, this.service),
      callback: (error, msg) => {
        if (error) this.log.error(`subscription to ${this.prefix}> failed: ${error.message}`);
        else this.answer(msg, dispatch);
      },
    });
    await nc.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription && !subscription.isClosed()) {
      if (this.connection.current) await this.drain(subscription);
      else subscription.unsubscribe();
    }
    await this.inFlight.drain();
  }

  /** Decodes a call, dispatches it, and replies with its result or error; counted in flight until its reply is sent. */
  private answer(msg: Msg, dispatch: Dispatch): void {
    let reply: Promise<unknown>;
    try {
      const payload = decodeRequestBody(msg.string(), this.config.maxPayloadBytes);
      const method = msg.subject.slice(this.prefix.length);
      reply = dispatch({ method, payload, metadata: requestMetadata(msg) });
    } catch (error) {
      this.inFlight.enter();
      this.respond(msg, encodeErrorReply(RpcError.from(error)));
      return;
    }
    this.inFlight.enter();
    reply.then(
      (result) => this.respond(msg, encodeReply(result, this.config.maxPayloadBytes)),
      (error: unknown) => this.respond(msg, encodeErrorReply(RpcError.from(error))),
    );
  }

  /**
   * Sends the reply (batched with the others of this event-loop turn), then counts the call out; one over the
   * broker's max_payload becomes RESOURCE_EXHAUSTED instead.
   */
  private respond(msg: Msg, reply: string): void {
    const nc = this.connection.current;
    if (!msg.reply || !nc) {
      if (msg.reply) this.log.warn(`could not reply on ${msg.subject}: not connected to NATS`);
      this.inFlight.leave();
      return;
    }
    const limit = nc.info?.max_payload ?? Infinity;
    if (reply.length * 3 > limit && Buffer.byteLength(reply) > limit) {
      reply = encodeErrorReply(tooLarge('response payload', Buffer.byteLength(reply), limit));
    }
    this.batch.publish(nc, msg.reply, reply, undefined, (error) => {
      if (error !== undefined) {
        this.log.warn(`could not reply on ${msg.subject}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.inFlight.leave();
    });
  }

  private async drain(subscription: Subscription): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)));
    await Promise.race([subscription.drain().catch(() => undefined), timeout]);
    clearTimeout(timer);
    if (!subscription.isClosed()) subscription.unsubscribe();
  }
}
