import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions, WebSocket, WebSocketServer } from 'ws';
import { BEARER } from '../auth/bearer-auth.guard';
import { BearerTokenVerifier } from '../auth/bearer-token-verifier';
import { OrderEventFeed } from './order-event-feed';

export const ORDER_EVENTS_PATH = '/v1/events';
/** The subprotocol the server speaks; a browser offers it with `bearer.<access token>` beside it. */
export const PUSH_PROTOCOL = 'switchboard.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';
const RESUME_POINT = /^[A-Za-z0-9._:-]{1,128}$/;

/** Close codes: 1001 going away (the gateway stops), 1008 policy (the client sent something it must not). */
const GOING_AWAY = 1001;

/**
 * Order status push: `GET /v1/events` upgraded to a WebSocket. The client authenticates at the handshake with
 * its access token, as `Authorization: Bearer <token>` or, from a browser (which cannot set headers), as the
 * subprotocol `bearer.<token>` offered beside `switchboard.v1`; no valid token -> the upgrade is refused with 401
 * and no socket opens. A socket receives only its customer's events:
 * `{"type":"order.status","id":"<event id>","orderId":"...","status":"CONFIRMED","totalCents":1798,"at":"..."}`.
 * Resuming: reconnect with `?lastEventId=<id of the last event seen>` to get the events after it first (from the
 * gateway's recent-events buffer); the first message, `{"type":"ready","customerId","resumed":{"count","complete"}}`,
 * says how many were replayed and whether the resume point was still known (complete) or older events may be
 * missing. Messages from the client are not used (at most 4 KiB, else the socket is closed).
 */
@WebSocketGateway({ path: ORDER_EVENTS_PATH, maxPayload: 4096 })
export class OrderEventsWsGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket>, BeforeApplicationShutdown {
  private readonly log = new Logger('OrderPush');
  private readonly customers = new WeakMap<IncomingMessage, string>();
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly feed: OrderEventFeed,
    private readonly tokens: BearerTokenVerifier,
  ) {}

  afterInit(server: WebSocketServer): void {
    const options = server.options as ServerOptions;
    options.handleProtocols = (protocols) => (protocols.has(PUSH_PROTOCOL) ? PUSH_PROTOCOL : false);
    options.verifyClient = (info, done) => {
      const token = tokenOf(info.req);
      if (token === undefined) return done(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer realm="switchboard"' });
      this.tokens.verify(token).then(
        (customerId) => {
          this.customers.set(info.req, customerId);
          done(true);
        },
        () => done(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer realm="switchboard", error="invalid_token"' }),
      );
    };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const customerId = this.customers.get(request);
    if (customerId === undefined) return socket.close(1008, 'not authenticated');
    this.sockets.add(socket);
    const send = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    // Listening and reading the buffer in one turn: no event falls between the replay and the live stream.
    const stop = this.feed.listen(customerId, send);
    const lastEventId = new URL(request.url ?? '/', 'http://gateway').searchParams.get('lastEventId');
    const replay =
      lastEventId !== null && RESUME_POINT.test(lastEventId) ? this.feed.recent.since(customerId, lastEventId) : { events: [], complete: true };
    send({ type: 'ready', customerId, resumed: { count: replay.events.length, complete: replay.complete } });
    for (const event of replay.events) send(event);
    socket.on('close', () => {
      stop();
      this.sockets.delete(socket);
    });
    socket.on('error', (error) => this.log.warn(`socket of ${customerId}: ${error.message}`));
  }

  /** Open sockets would keep the HTTP server from closing: they are told the gateway is going away. */
  beforeApplicationShutdown(): void {
    for (const socket of this.sockets) socket.close(GOING_AWAY, 'gateway shutting down');
  }
}

/** The access token of an upgrade request: the Authorization header, or the `bearer.<token>` subprotocol. */
function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return BEARER.exec(header)?.[1];
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return bearer?.slice(BEARER_PROTOCOL_PREFIX.length) || undefined;
}
