import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { MethodRef, ServiceContract } from '@app/contracts';
import { context as otelContext } from '@opentelemetry/api';
import { isObservable, lastValueFrom } from 'rxjs';
import type { TransportDriver, InboundCall, ServerTransport } from '../driver/transport-driver';
import { CallContext } from '../metadata/call-context';
import { deadlineExceeded, RpcError, unimplemented } from '../status/rpc-error';
import type { InstanceAnnouncer } from './instance-announcer';
import { beginServerCall, endServerCall } from '../telemetry/rpc-telemetry';
import type { CompiledHandler } from './dispatch/compiled-handler';
import type { HandlerCompiler } from './dispatch/handler-compiler';

/** What a server needs besides its driver and contracts. */
export interface SwitchboardServerOptions {
  /** A registry, told once calls can arrive, and before the server closes. */
  announcer?: InstanceAnnouncer;
  /**
   * Builds the handlers once at start (guards, interceptors, pipes and filters resolved up front: see
   * CompiledHandler). Without it, calls go through Nest's own per-call pipeline.
   */
  handlers?: HandlerCompiler;
}

/** Runs a call's handler with its context: a compiled handler, or Nest's. */
type Invoke = (payload: unknown, context: CallContext) => Promise<unknown>;

/**
 * The Nest microservice strategy of every Switchboard app, whatever the transport: the driver delivers calls,
 * this server finds the `@Rpc` handler by the method pattern and runs it through Nest (guards, interceptors,
 * pipes, filters) with a CallContext as its context. Whatever the handler throws reaches the caller as an RpcError.
 */
export class SwitchboardServer extends Server implements CustomTransportStrategy {
  private transport?: ServerTransport;
  private readonly methods = new Map<string, MethodRef>();
  private readonly invokers = new Map<string, Invoke>();
  private readonly announcer?: InstanceAnnouncer;
  private readonly log: Logger;
  private handled = 0;
  private inFlight = 0;

  constructor(
    private readonly driver: TransportDriver,
    private readonly contracts: readonly ServiceContract[],
    private readonly options: SwitchboardServerOptions = {},
  ) {
    super();
    this.announcer = options.announcer;
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
      this.resolveHandlers();
      const missing = [...this.methods.keys()].filter((pattern) => !this.invokers.has(pattern));
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

  /** The handler of each served method: compiled when it can be, else Nest's (e.g. a request-scoped controller). */
  private resolveHandlers(): void {
    this.invokers.clear();
    const compiled: Map<string, CompiledHandler> = this.options.handlers?.handlers('rpc') ?? new Map();
    for (const pattern of this.methods.keys()) {
      const handler = compiled.get(pattern);
      if (handler) {
        this.invokers.set(pattern, (payload, context) => handler.invoke(payload, context));
        continue;
      }
      const nest = this.messageHandlers.get(pattern);
      if (nest && !nest.isEventHandler) {
        this.invokers.set(pattern, async (payload, context) => {
          const result = await nest(payload, context);
          return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
        });
      }
    }
  }

  /**
   * One call: its telemetry (span, metrics, log line), its CallContext (entered once, for the handler and what it
   * calls), the deadline checked before and after the handler; whatever fails reaches the caller as an RpcError.
   */
  private async dispatch(call: InboundCall): Promise<unknown> {
    const method = this.methods.get(call.method);
    const record = beginServerCall(method, call.method, this.driver.name, call.metadata);
    const context = new CallContext(call.method, this.driver.name, call.metadata, method);
    this.handled++;
    this.inFlight++;
    try {
      const invoke = this.invokers.get(call.method);
      if (!invoke) throw unimplemented(call.method);
      if (context.remainingMs() <= 0) throw deadlineExceeded(call.method);
      const run = () => context.run(() => invoke(call.payload, context));
      const value = await (record.context ? otelContext.with(record.context, run) : run());
      if (context.remainingMs() <= 0) throw deadlineExceeded(call.method);
      endServerCall(record, method, this.driver.name, call.metadata);
      return value;
    } catch (caught) {
      const error = context.remainingMs() <= 0 ? deadlineExceeded(call.method) : RpcError.from(caught);
      endServerCall(record, method, this.driver.name, call.metadata, error);
      throw error;
    } finally {
      this.inFlight--;
    }
  }
}
