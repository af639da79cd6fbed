import type { ServiceContract } from '@app/contracts';
import type { TransportConfig } from '../config/transport-config';
import type { ClientTransport, Dispatch, OutboundCall, ServerTransport, TransportDriver } from '../driver/transport-driver';
import { RpcError, unavailable } from '../status/rpc-error';
import { decodeReply, decodeRequestBody, encodeErrorReply, encodeReply } from '../wire/json-codec';
import { InFlight } from '../wire/in-flight';
import { PendingCalls } from '../wire/pending-calls';
import { MemoryBroker } from './memory-broker';

/**
 * All apps in one process. Requests and replies are still JSON bodies checked against each side's limit, and
 * calls still run asynchronously with deadlines, so the semantics match the network transports.
 */
export class MemoryDriver implements TransportDriver {
  readonly name = 'memory' as const;
  private readonly broker: MemoryBroker;

  constructor(private readonly config: TransportConfig) {
    this.broker = config.memoryBroker ?? MemoryBroker.shared;
  }

  server(contracts: readonly ServiceContract[]): ServerTransport {
    const { broker, config } = this;
    const inFlight = new InFlight();
    let unregister: (() => void) | undefined;
    return {
      async listen(dispatch: Dispatch) {
        unregister = broker.register(contracts[0].service, (method, body, metadata) => {
          let result: Promise<unknown>;
          try {
            result = dispatch({ method, payload: decodeRequestBody(body, config.maxPayloadBytes), metadata });
          } catch (error) {
            return Promise.resolve(encodeErrorReply(RpcError.from(error)));
          }
          inFlight.enter();
          return result.then(
            (value) => {
              inFlight.leave();
              return encodeReply(value, config.maxPayloadBytes);
            },
            (error: unknown) => {
              inFlight.leave();
              return encodeErrorReply(RpcError.from(error));
            },
          );
        });
      },
      async close() {
        unregister?.();
        await inFlight.drain();
      },
    };
  }

  client(contract: ServiceContract): ClientTransport {
    const pending = new PendingCalls();
    const { broker } = this;
    return {
      send(call: OutboundCall) {
        const endpoint = broker.pick(contract.service);
        if (!endpoint) return Promise.reject(unavailable(`no instance of ${contract.service} is serving in this process`));
        const id = pending.nextId();
        const reply = pending.register(id, call.method.pattern, call.deadline);
        const metadata = { ...call.metadata };
        setImmediate(() =>
          endpoint(call.method.pattern, call.body, metadata).then((text) => pending.settle(id, () => decodeReply(text))),
        );
        return reply;
      },
      async close() {
        pending.failAll(unavailable('client closed'));
      },
    };
  }

  async close(): Promise<void> {}
}
