import type { MethodRef, ServiceContract } from '@app/contracts';
import type { TransportName } from '../config/transport-config';
import type { Metadata } from '../metadata/metadata';

/** A call as a server transport hands it to the dispatcher. */
export interface InboundCall {
  /** The method pattern, e.g. `inventory.v1.Reserve`. */
  method: string;
  payload: unknown;
  metadata: Metadata;
}

/** Runs a call; resolves with the response payload or rejects with an RpcError. */
export type Dispatch = (call: InboundCall) => Promise<unknown>;

/** A call as the client hands it to a client transport. */
export interface OutboundCall {
  method: MethodRef;
  payload: unknown;
  /** The payload's JSON encoding, already checked against the payload limit. */
  body: string;
  metadata: Metadata;
  /** Absolute deadline (epoch ms). */
  deadline: number;
}

/**
 * Serves the methods of one service. `listen` resolves once calls can arrive (waiting, with a log line, for a
 * broker that is not up yet); each call is handled by exactly one instance of the service. `close` stops taking
 * new calls and lets in-flight ones finish.
 */
export interface ServerTransport {
  /** The host:port it listens on (tcp, grpc); undefined on brokered transports. */
  readonly listenAddress?: string;
  listen(dispatch: Dispatch): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sends calls to one target service. `send` always settles by the call's deadline: with the response, or an
 * RpcError (DEADLINE_EXCEEDED when time ran out, UNAVAILABLE when the transport cannot reach the target).
 */
export interface ClientTransport {
  send(call: OutboundCall): Promise<unknown>;
  close(): Promise<void>;
}

/** One transport's factory of server and client transports; owns the connections they share. */
export interface TransportDriver {
  readonly name: TransportName;
  /** Serves the given contracts, which all belong to one service. */
  server(contracts: readonly ServiceContract[]): ServerTransport;
  client(contract: ServiceContract): ClientTransport;
  close(): Promise<void>;
  /** For `/health/ready`: throws, saying why, while the driver cannot carry calls (its broker is down). */
  checkReady?(): void;
}
