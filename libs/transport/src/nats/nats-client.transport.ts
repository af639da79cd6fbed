import type { ServiceContract } from '@app/contracts';
import { ErrorCode, Msg, MsgHdrs, NatsConnection, NatsError } from 'nats';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, OutboundCall } from '../driver/transport-driver';
import { deadlineExceeded, RpcError, unavailable } from '../status/rpc-error';
import { decodeReply, tooLarge } from '../wire/json-codec';
import { PendingCalls } from '../wire/pending-calls';
import type { NatsConnectionManager } from './nats-connection';
import { requestHeaders } from './nats-metadata';
import type { NatsPublishBatch } from './nats-publish-batch';
import type { NatsReplyInbox } from './nats-reply-inbox';
import { NatsSubjects } from './nats-subjects';

const NO_RESPONDERS = 503;

/**
 * Sends calls to one service: a plain publish to `<ns>.rpc.<service>.<method>` with the metadata as headers and
 * the connection's shared reply inbox as reply subject. Fails at once with UNAVAILABLE while the connection is
 * down or when no instance subscribes (NATS's no-responders status); calls pending when the connection drops
 * fail UNAVAILABLE too.
 */
export class NatsClientTransport implements ClientTransport {
  private readonly pending: PendingCalls;
  private readonly subjectPrefix: string;
  private readonly inboxKey: string;
  private readonly stopWatchingDown: () => void;
  private closed = false;

  constructor(
    private readonly contract: ServiceContract,
    config: TransportConfig,
    private readonly connection: NatsConnectionManager,
    private readonly inbox: NatsReplyInbox,
    private readonly batch: NatsPublishBatch,
  ) {
    this.subjectPrefix = NatsSubjects.rpcPrefix(config.namespace, contract.service);
    this.inboxKey = inbox.add((callId, msg) => this.receive(callId, msg));
    this.pending = new PendingCalls(this.inboxKey, (method) =>
      this.connection.current ? deadlineExceeded(method) : this.brokerUnreachable(),
    );
    this.stopWatchingDown = connection.onDown(() => this.pending.failAll(this.brokerUnreachable()));
    connection.start();
  }

  send(call: OutboundCall): Promise<unknown> {
    const nc = this.connection.current;
    return nc && !this.closed ? this.publish(nc, call) : this.sendWhenConnected(call);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchingDown();
    this.inbox.remove(this.inboxKey);
    this.pending.failAll(unavailable('client closed'));
  }

  /** Waits for a connection attempt under way, but not past the call's deadline. */
  private async sendWhenConnected(call: OutboundCall): Promise<unknown> {
    if (this.closed) throw unavailable('client closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, call.deadline - Date.now()));
    });
    const nc = await Promise.race([this.connection.settled(), deadline]).finally(() => clearTimeout(timer));
    if (!nc) throw this.brokerUnreachable();
    return this.publish(nc, call);
  }

  private publish(nc: NatsConnection, call: OutboundCall): Promise<unknown> {
    const headers = requestHeaders(call.metadata);
    const tooBig = this.overMaxPayload(nc, call.body, headers);
    if (tooBig) return Promise.reject(tooBig);
    const callId = this.pending.nextId();
    const reply = this.pending.register(callId, call.method.pattern, call.deadline);
    try {
      this.inbox.attach(nc);
    } catch (error) {
      this.pending.fail(callId, this.publishFailure(error, nc, call.body, headers));
      return reply;
    }
    this.batch.publish(nc, this.subjectPrefix + call.method.pattern, call.body, { reply: this.inbox.replySubject(callId), headers }, (error) => {
      if (error !== undefined) this.pending.fail(callId, this.publishFailure(error, nc, call.body, headers));
    });
    return reply;
  }

  /** RESOURCE_EXHAUSTED for a request (with its metadata) over the broker's max_payload, checked before it is queued. */
  private overMaxPayload(nc: NatsConnection, body: string, headers: MsgHdrs): RpcError | undefined {
    const limit = nc.info?.max_payload;
    const headerBytes = headers.toString().length; // ASCII
    if (limit === undefined || (body.length * 3 + headerBytes <= limit)) return undefined;
    const size = Buffer.byteLength(body) + headerBytes;
    return size > limit ? tooLarge('request with its metadata', size, limit) : undefined;
  }

  private receive(callId: string, msg: Msg): void {
    const status = msg.headers;
    if (status?.hasError) {
      this.pending.fail(
        callId,
        status.code === NO_RESPONDERS
          ? unavailable(`no instance of ${this.contract.service} is serving`)
          : unavailable(`NATS answered ${status.status}`),
      );
      return;
    }
    this.pending.settle(callId, () => decodeReply(msg.string()));
  }

  private publishFailure(error: unknown, nc: NatsConnection, body: string, headers: MsgHdrs): RpcError {
    if (error instanceof NatsError && error.code === ErrorCode.MaxPayloadExceeded) {
      const size = Buffer.byteLength(body) + Buffer.byteLength(headers.toString());
      return tooLarge('request with its metadata', size, nc.info?.max_payload ?? 0);
    }
    return unavailable(`cannot publish to NATS at ${this.connection.url}: ${error instanceof Error ? error.message : String(error)}`);
  }

  private brokerUnreachable(): RpcError {
    return unavailable(`NATS at ${this.connection.url} is not reachable`);
  }
}
