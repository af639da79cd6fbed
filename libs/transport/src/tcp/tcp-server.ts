import { createServer, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Logger } from '@nestjs/common';
import type { Dispatch, ServerTransport } from '../driver/transport-driver';
import { ThrottledLog } from '../redis/throttled-log';
import { RpcError, unavailable } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import type { TransportTls } from '../tls/tls-config';
import { mutualTlsServerOptions } from '../tls/tls-options';
import { decodeRequestBody, encodeErrorReply, encodePayload, tooLarge } from '../wire/json-codec';
import { InFlight } from '../wire/in-flight';
import { FRAME_ENVELOPE_BYTES, FrameDecoder } from './frame-codec';
import { FrameWriter } from './frame-writer';
import type { TcpAddress } from './tcp-address';
import {
  frameId,
  GOAWAY_TEXT,
  ParsedRequestFrame,
  parseRequestFrame,
  parseSmallRequestFrame,
  replyText,
  RequestFrame,
  resultText,
} from './tcp-envelope';

/** How long `close` waits for clients to hang up after the last reply before cutting their connections. */
const HANG_UP_GRACE_MS = 1000;
/** At most one line about refused TLS clients in this long. */
const TLS_REFUSED_LOG_EVERY_MS = 30_000;

const MALFORMED_REPLY = encodeErrorReply(new RpcError(StatusCode.INVALID_ARGUMENT, 'malformed request frame'));
const CLOSING_REPLY = encodeErrorReply(unavailable('the server is shutting down'));

/**
 * Serves one service on a host:port. Each connection carries many concurrent calls, told apart by request id.
 * `listen` resolves once the port is bound (and rejects if it cannot be). `close` stops accepting connections,
 * tells connected clients to go away, lets in-flight calls finish and reply, then closes the connections.
 * With TLS material it speaks mutual TLS only: a client without a certificate from the CA never gets a frame in.
 */
export class TcpServerTransport implements ServerTransport {
  private server?: Server;
  private dispatch: Dispatch = () => Promise.reject(unavailable('the server is not listening'));
  private closing = false;
  private readonly connections = new Map<Socket, FrameWriter>();
  /** Calls being handled; `close` waits (bounded) until there is none. */
  private readonly inFlight = new InFlight();
  private readonly maxFrameBytes: number;
  private readonly refusals: ThrottledLog;

  constructor(
    private readonly service: string,
    private readonly address: TcpAddress,
    private readonly maxPayloadBytes: number,
    private readonly log: Logger,
    private readonly tls?: TransportTls,
  ) {
    this.maxFrameBytes = maxPayloadBytes + FRAME_ENVELOPE_BYTES;
    this.refusals = new ThrottledLog(log, TLS_REFUSED_LOG_EVERY_MS);
  }

  get listenAddress(): string {
    return this.address.text;
  }

  listen(dispatch: Dispatch): Promise<void> {
    if (this.server) return Promise.reject(new Error(`tcp: ${this.service} is already listening`));
    this.dispatch = dispatch;
    this.closing = false;
    const server = this.createServer();
    this.server = server;
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        this.server = undefined;
        reject(new Error(`tcp: cannot listen for ${this.service} on ${this.address.text}: ${error.message}`));
      };
      server.once('error', failed);
      server.listen({ host: this.address.host, port: this.address.port }, () => {
        server.off('error', failed);
        server.on('error', (error) => this.log.error(`tcp server of ${this.service}: ${error.message}`));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const writer of this.connections.values()) writer.write(GOAWAY_TEXT);
    await this.inFlight.drain();
    for (const writer of this.connections.values()) writer.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, HANG_UP_GRACE_MS)))]);
    clearTimeout(timer);
    for (const socket of this.connections.keys()) socket.destroy();
    await closed;
  }

  private createServer(): Server {
    const accept = (socket: Socket) => this.accept(socket);
    if (!this.tls) return createServer({ noDelay: true }, accept);
    const server = createTlsServer({ ...mutualTlsServerOptions(this.tls), noDelay: true }, accept);
    server.on('tlsClientError', (error, socket) => {
      const peer = socket.remoteAddress ? ` from ${socket.remoteAddress}` : '';
      this.refusals.warn('tls', `tcp server of ${this.service}: refused a TLS client${peer}: ${error.message}`);
    });
    return server;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const writer = new FrameWriter(socket);
    const decoder = new FrameDecoder(this.maxFrameBytes, {
      frame: (text) => {
        if (this.onFrame(writer, text)) return;
        decoder.stop();
        socket.destroy();
      },
      oversized: (head, length) => {
        const id = frameId(head);
        if (id === undefined) return false;
        writer.write(replyText(id, encodeErrorReply(tooLarge('request', length, this.maxPayloadBytes))));
        return true;
      },
    });
    this.connections.set(socket, writer);
    socket.on('data', (chunk: Buffer) => {
      if (!decoder.push(chunk)) socket.destroy();
    });
    socket.on('error', () => undefined); // 'close' follows; the client sees the connection drop
    socket.on('close', () => {
      decoder.stop();
      this.connections.delete(socket);
    });
  }

  /** Starts handling one request frame; false when the frame is so malformed the connection must close. */
  private onFrame(writer: FrameWriter, text: string): boolean {
    const request = parseSmallRequestFrame(text, this.maxPayloadBytes) ?? parseRequestFrame(text);
    if (request === undefined) {
      const id = frameId(text);
      if (id !== undefined) writer.write(replyText(id, MALFORMED_REPLY));
      return id !== undefined;
    }
    if (this.closing) writer.write(replyText(request.id, CLOSING_REPLY));
    else this.handle(writer, request);
    return true;
  }

  /** Runs one call and writes its reply: one promise per call (the dispatch's), no wrapper around it. */
  private handle(writer: FrameWriter, request: ParsedRequestFrame | RequestFrame): void {
    const id = request.id;
    let result: Promise<unknown>;
    try {
      const payload = 'body' in request ? decodeRequestBody(request.body, this.maxPayloadBytes) : request.payload;
      result = this.dispatch({ method: request.method, payload, metadata: request.metadata });
    } catch (error) {
      writer.write(replyText(id, encodeErrorReply(RpcError.from(error))));
      return;
    }
    this.inFlight.enter();
    result.then(
      (value) => this.reply(writer, id, value),
      (error: unknown) => this.fail(writer, id, error),
    );
  }

  private reply(writer: FrameWriter, id: string, value: unknown): void {
    let text: string;
    try {
      text = resultText(id, encodePayload(value ?? {}, this.maxPayloadBytes, 'response payload'));
    } catch (error) {
      text = replyText(id, encodeErrorReply(RpcError.from(error)));
    }
    writer.write(text);
    this.inFlight.leave();
  }

  private fail(writer: FrameWriter, id: string, error: unknown): void {
    writer.write(replyText(id, encodeErrorReply(RpcError.from(error))));
    this.inFlight.leave();
  }
}
