import { Logger } from '@nestjs/common';
import { Server, type handleUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { Dispatch, ServerTransport } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { InFlight } from '../wire/in-flight';
import { encodePayload } from '../wire/json-codec';
import { serverCredentials, serverOptions } from './grpc-channel';
import { GrpcHealth } from './grpc-health';
import { fromGrpcMetadata } from './grpc-metadata';
import { serviceDefinition } from './grpc-proto';
import { toGrpcStatus } from './grpc-status';

const BIND_RETRY_MS = 1000;
const BIND_LOG_EVERY_MS = 10_000;
/** How long `close` lets in-flight calls finish before cutting the connections. */
const DRAIN_TIMEOUT_MS = 10_000;
/** How long, once no call is in flight, `close` lets grpc-js finish closing the connections before cutting them. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Serves the gRPC services of one app's contracts on its listen address. Every unary method of the .proto goes
 * to the dispatcher (which answers UNIMPLEMENTED for a method without handler); payloads over the limit, measured
 * as JSON like on every transport, are refused with RESOURCE_EXHAUSTED. `listen` retries binding while the
 * address is taken; `close` stops taking calls and lets in-flight ones finish (bounded).
 */
export class GrpcServerTransport implements ServerTransport {
  private server?: Server;
  private closing = false;
  /** Ends the pause between two attempts to bind, when closing. */
  private wake?: () => void;
  private readonly log: Logger;
  private readonly inFlight = new InFlight();
  private readonly health: GrpcHealth;
  readonly address: string;

  get listenAddress(): string {
    return this.address;
  }

  constructor(
    private readonly config: TransportConfig,
    private readonly contracts: readonly ServiceContract[],
  ) {
    const service = contracts[0].service;
    const address = config.listen ?? config.addresses[service]?.[0];
    if (!address) throw new Error(`no gRPC listen address for service "${service}" (set RPC_LISTEN or the service's address)`);
    this.address = address;
    this.log = new Logger(`${service}:grpc`);
    this.health = new GrpcHealth(contracts);
  }

  async listen(dispatch: Dispatch): Promise<void> {
    let lastLog = 0;
    while (!this.closing) {
      const server = new Server(serverOptions(this.config));
      for (const contract of this.contracts) server.addService(serviceDefinition(contract), this.handlers(contract, dispatch));
      this.health.addTo(server);
      try {
        await this.bind(server);
      } catch (error) {
        server.forceShutdown();
        if (Date.now() - lastLog >= BIND_LOG_EVERY_MS) {
          lastLog = Date.now();
          this.log.warn(
            `cannot listen on ${this.address} (in use, or not an address of this host?): ${(error as Error).message}; ` +
              `retrying every ${BIND_RETRY_MS / 1000}s`,
          );
        }
        await this.pause(BIND_RETRY_MS);
        continue;
      }
      if (this.closing) server.forceShutdown();
      else {
        this.server = server;
        this.health.serving();
      }
      return;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.health.notServing();
    this.wake?.();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const shutDown = new Promise<void>((resolve) => server.tryShutdown(() => ((finished = true), resolve())));
    // grpc-js may never call back when a session failed as it began (a TLS client on a plain port, or the reverse,
    // closing just then): once no call is in flight, a short grace, then the rest is cut.
    const grace = this.inFlight
      .drain(DRAIN_TIMEOUT_MS)
      .then(() => (finished ? undefined : new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))));
    await Promise.race([shutDown, grace]);
    clearTimeout(timer);
    if (!finished) server.forceShutdown();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private bind(server: Server): Promise<number> {
    return new Promise((resolve, reject) =>
      server.bindAsync(this.address, serverCredentials(this.config), (error, port) => (error ? reject(error) : resolve(port))),
    );
  }

  private handlers(contract: ServiceContract, dispatch: Dispatch): UntypedServiceImplementation {
    const handlers: UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(serviceDefinition(contract))) {
      if (!method.requestStream && !method.responseStream) handlers[name] = this.unaryHandler(`${contract.package}.${name}`, dispatch);
    }
    return handlers;
  }

  private unaryHandler(pattern: string, dispatch: Dispatch): handleUnaryCall<unknown, unknown> {
    const limit = this.config.maxPayloadBytes;
    return (call, callback) => {
      try {
        encodePayload(call.request, limit);
      } catch (error) {
        return callback(toGrpcStatus(RpcError.from(error)));
      }
      const inbound = { method: pattern, payload: call.request, metadata: fromGrpcMetadata(call.metadata) };
      this.inFlight.track(() => dispatch(inbound)).then(
        (result) => {
          const response = result ?? {};
          try {
            encodePayload(response, limit, 'response payload');
          } catch (error) {
            return callback(toGrpcStatus(RpcError.from(error)));
          }
          callback(null, response);
        },
        (error: unknown) => callback(toGrpcStatus(RpcError.from(error))),
      );
    };
  }
}
