import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { MethodRef, ServiceContract } from '@app/contracts';
import { isObservable, lastValueFrom } from 'rxjs';
import type { TransportDriver, InboundCall, ServerTransport } from '../driver/transport-driver';
import { CallContext } from '../metadata/call-context';
import { deadlineExceeded, RpcError, unimplemented } from '../status/rpc-error';
import type { InstanceAnnouncer } from './instance-announcer';
import { observeServerCall } from '../telemetry/rpc-telemetry';

/**
 * The Nest microservice strategy of every Switchboard app, whatever the transport: the driver delivers calls,
 * this server finds the `@Rpc` handler by the method pattern and runs it through Nest (guards, interceptors,
 * pipes, filters) with a CallContext as its context. Whatever the handler throws reaches the caller as an RpcError.
 */
export class SwitchboardServer extends Server implements CustomTransportStrategy {
  private transport?: ServerTransport;
  private readonly methods = new Map<string, MethodRef>();
  private readonly log: Logger;
  private handled = 0;
  private inFlight = 0;

  /** `announcer` (a registry) is told once calls can arrive, and before the server closes. */
  constructor(
    private readonly driver: TransportDriver,
    private readonly contracts: readonly ServiceContract[],
    private readonly announcer?: InstanceAnnouncer,
  ) {
    super();
    if (contracts.length === 0) throw new Error('SwitchboardServer needs at least one contract to serve');
    for (const contract of contracts) {
      if (contract.service !== contracts[0].service) {
        throw new Error(`one server serves one service: got ${contracts[0].service} and ${contract.service}`);
      }
      for (const method of contract.byPattern.values()) this.methods.set(method.pattern, method);
    }
    this.log = new Logger(`${contracts[0].service}:${driver.name}`);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const missing = [...this.methods.keys()].filter((pattern) => !this.messageHandlers.has(pattern));
      if (missing.length) this.log.warn(`no handler for ${missing.join(', ')}: callers will get UNIMPLEMENTED`);
      this.transport = this.driver.server(this.contracts);
      await this.transport.listen((call) => this.dispatch(call));
      this.log.log(`serving ${this.contracts.map((c) => c.package).join(', ')} over ${this.driver.name}`);
      await this.announcer?.announce({
        service: this.contracts[0].service,
        versions: this.contracts.map((contract) => contract.version),
        transport: this.driver.name,
        listenAddress: this.transport.listenAddress,
        stats: () => ({ handled: this.handled, inFlight: this.inFlight }),
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    // Out of the registry first, so clients stop picking this instance while it drains.
    await this.announcer?.withdraw();
    await this.transport?.close();
    this.transport = undefined;
  }

  on(): never {
    throw new Error('SwitchboardServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.driver as T;
  }

  private dispatch(call: InboundCall): Promise<unknown> {
    const method = this.methods.get(call.method);
    return observeServerCall(method, call.method, this.driver.name, call.metadata, () => this.run(call, method));
  }

  private async run(call: InboundCall, method: MethodRef | undefined): Promise<unknown> {
    const handler = this.messageHandlers.get(call.method);
    if (!handler || handler.isEventHandler) throw unimplemented(call.method);
    const context = new CallContext(call.method, this.driver.name, call.metadata, method);
    if (context.remainingMs() <= 0) throw deadlineExceeded(call.method);
    this.handled++;
    this.inFlight++;
    try {
      // The handler's observable runs the controller when subscribed: subscribe inside the context too.
      const value = await context.run(async () => {
        const result = await handler(call.payload, context);
        return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
      });
      if (context.remainingMs() <= 0) throw deadlineExceeded(call.method);
      return value;
    } catch (error) {
      throw context.remainingMs() <= 0 ? deadlineExceeded(call.method) : RpcError.from(error);
    } finally {
      this.inFlight--;
    }
  }
}
