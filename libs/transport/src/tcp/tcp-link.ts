import { connect, Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Logger } from '@nestjs/common';
import type { OutboundCall } from '../driver/transport-driver';
import { RpcError, unavailable } from '../status/rpc-error';
import type { TransportTls } from '../tls/tls-config';
import { tlsClientOptions } from '../tls/tls-options';
import { decodeReply, tooLarge } from '../wire/json-codec';
import { PendingCalls } from '../wire/pending-calls';
import { FRAME_ENVELOPE_BYTES, FrameDecoder } from './frame-codec';
import { FrameWriter } from './frame-writer';
import type { TcpAddress } from './tcp-address';
import { frameId, GOAWAY_TEXT, requestText } from './tcp-envelope';

export type LinkState = 'idle' | 'connecting' | 'ready' | 'draining' | 'backoff' | 'closed';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1000;
/** A call that finds the link in backoff makes it try again at once, at most this often. */
const MIN_NUDGE_MS = 100;
const CONNECT_TIMEOUT_MS = 2000;
/** At most one "cannot reach" log line per link in this long. */
const LOG_EVERY_MS = 30_000;
/** How long after the handshake a TLS alert still means the server refused this client (TLS 1.3 checks late). */
const TLS_REFUSAL_WINDOW_MS = 1000;

/**
 * One persistent connection to one address of a service. Connects on `start` and reconnects forever with capped
 * exponential backoff. Carries many concurrent calls told apart by id; when the connection drops, the calls it
 * carries fail with UNAVAILABLE. A server that is closing sends GOAWAY: the link stops taking calls ('draining')
 * until the connection is gone, then reconnects. `onStateChange` runs after every change of `state`. With TLS
 * material the connection is TLS with this service's certificate, and the server's certificate must come from the
 * CA; a server that refuses the certificate is an unreachable server (backoff), not a lost connection.
 */
export class TcpLink {
  state: LinkState = 'idle';
  /** Consecutive connection attempts that failed; 0 while connected and on the first attempt after a drop. */
  failures = 0;
  private socket?: Socket;
  private writer?: FrameWriter;
  private retryTimer?: NodeJS.Timeout;
  private lastError?: Error;
  private lastLogAt = 0;
  private unreachableLogged = false;
  private readonly pending = new PendingCalls();
  private readonly maxFrameBytes: number;
  private connectedAt = 0;
  private lastAttemptAt = 0;
  /** `failures` before the last connection was made, restored if the server then refuses the TLS certificate. */
  private failuresBeforeConnect = 0;

  constructor(
    readonly address: TcpAddress,
    private readonly service: string,
    private readonly maxPayloadBytes: number,
    private readonly log: Logger,
    private readonly onStateChange: () => void,
    private readonly tls?: TransportTls,
  ) {
    this.maxFrameBytes = maxPayloadBytes + FRAME_ENVELOPE_BYTES;
  }

  start(): void {
    if (this.state === 'idle') this.connect();
  }

  /**
   * Tries to connect now instead of at the end of the backoff (a call wants this instance and found it down), at
   * most every MIN_NUDGE_MS: a restarted server is reached as soon as calls ask for it, not up to a backoff later.
   */
  reconnectNow(): void {
    if (this.state !== 'backoff' || Date.now() - this.lastAttemptAt < MIN_NUDGE_MS) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  /** Sends a call on this link, which should be 'ready'. */
  send(call: OutboundCall): Promise<unknown> {
    const writer = this.writer;
    if (!writer) return Promise.reject(unavailable(`no connection to ${this.service} at ${this.address.text}`));
    const id = this.pending.nextId();
    const reply = this.pending.register(id, call.method.pattern, call.deadline);
    writer.write(requestText(id, call.method.pattern, call.metadata, call.body));
    return reply;
  }

  close(): void {
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.socket = undefined;
    this.pending.failAll(unavailable('client closed'));
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.state === 'closed') return;
    this.lastAttemptAt = Date.now();
    this.lastError = undefined;
    const { host, port } = this.address;
    const socket = this.tls
      ? connectTls({ ...tlsClientOptions(this.tls, host), host, port })
      : connect({ host, port, noDelay: true });
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`no answer in ${CONNECT_TIMEOUT_MS} ms`)));
    this.socket = socket;
    const decoder = new FrameDecoder(this.maxFrameBytes, {
      frame: (text) => this.onFrame(text),
      oversized: (head, length) => {
        const id = frameId(head);
        if (id !== undefined) this.pending.fail(id, tooLarge('response', length, this.maxPayloadBytes));
        return id !== undefined;
      },
    });
    socket.on(this.tls ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      this.connectedAt = Date.now();
      this.writer = new FrameWriter(socket);
      this.failuresBeforeConnect = this.failures;
      this.failures = 0;
      if (this.unreachableLogged) this.log.log(`connected to ${this.service} at ${this.address.text}`);
      this.unreachableLogged = false;
      this.setState('ready');
    });
    socket.on('data', (chunk: Buffer) => {
      if (!decoder.push(chunk)) socket.destroy(new Error('oversized frame without a request id'));
    });
    socket.on('error', (error) => (this.lastError = error));
    socket.on('close', () => {
      decoder.stop();
      this.onClose(socket);
    });
    this.setState('connecting');
  }

  private onFrame(text: string): void {
    const id = frameId(text);
    if (id !== undefined) this.pending.settle(id, () => decodeReply(text));
    else if (text === GOAWAY_TEXT && this.state === 'ready') this.setState('draining');
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    const wentAway = this.state === 'draining';
    const refused = this.refusedByTls();
    if (refused) this.failures = this.failuresBeforeConnect;
    const wasConnected = (this.state === 'ready' || wentAway) && !refused;
    this.socket = undefined;
    this.writer = undefined;
    const where = `${this.service} at ${this.address.text}`;
    const reason = this.lastError ? `: ${this.lastError.message}` : '';
    const failure = wasConnected ? 'lost the connection to' : 'cannot connect to';
    const what = wentAway ? `${where} shut down` : `${failure} ${where}${reason}`;
    this.pending.failAll(unavailable(what));
    if (!wasConnected) this.failures++;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, this.failures - 1), MAX_RETRY_MS);
    this.logUnreachable(`${what}; retrying in ${delay / 1000}s`, wentAway);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
    this.setState('backoff');
  }

  /** The connection ended with a TLS alert right after the handshake: the server refused this certificate. */
  private refusedByTls(): boolean {
    const code = (this.lastError as NodeJS.ErrnoException | undefined)?.code ?? '';
    return this.tls !== undefined && code.startsWith('ERR_SSL_') && Date.now() - this.connectedAt < TLS_REFUSAL_WINDOW_MS;
  }

  /** A server that said GOAWAY shut down on purpose: one info line. Failures warn, throttled. */
  private logUnreachable(line: string, planned: boolean): void {
    this.unreachableLogged = true;
    if (planned) return this.log.log(line);
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    this.log.warn(line);
  }

  private setState(state: LinkState): void {
    if (this.state === 'closed') return;
    this.state = state;
    this.onStateChange();
  }
}
