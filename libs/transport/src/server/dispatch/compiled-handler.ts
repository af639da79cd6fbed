import type { ArgumentMetadata, CanActivate, NestInterceptor, PipeTransform } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer';
import { RpcException } from '@nestjs/microservices';
import type { RpcExceptionsHandler } from '@nestjs/microservices/exceptions/rpc-exceptions-handler';
import { isObservable, lastValueFrom } from 'rxjs';

/** One parameter of a handler: where its value comes from and the pipes it goes through. */
export interface ParamPlan {
  index: number;
  /** Nest's parameter type (RpcParamtype for payload and context, a key for custom decorators) and its data. */
  type: unknown;
  data: unknown;
  /** Takes the value out of the handler's arguments `(payload, context)`. */
  extract: (args: unknown[]) => unknown;
  /** Global, class, method and parameter pipes, in Nest's order. */
  pipes: readonly PipeTransform[];
  /** What the pipes are told about the value (`{ type: 'body' }` for the payload). */
  metadata: ArgumentMetadata;
}

/** Everything Nest would resolve for a handler, resolved once at start. */
export interface HandlerPlan {
  instance: object;
  callback: (...args: unknown[]) => unknown;
  guards: readonly CanActivate[];
  interceptors: readonly NestInterceptor[];
  /** Empty when no parameter has a pipe or a decorator: the handler then gets `(payload, context)` as they are. */
  params: readonly ParamPlan[];
  argsLength: number;
  filters: RpcExceptionsHandler;
  interceptorsConsumer: InterceptorsConsumer;
}

const FORBIDDEN_MESSAGE = 'Forbidden resource';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';

/**
 * Runs an RPC or event handler the way Nest does — guards, then interceptors, then pipes, then the handler, and
 * the exception filters on any error — but resolved once, not per call, and paying only for what the handler has:
 * no interceptor means no RxJS and no `AsyncResource.bind`; a guard or pipe that answers synchronously costs no
 * promise; a handler without parameter decorators gets its arguments as they are. With interceptors, Nest's own
 * consumer runs them, so their semantics (RxJS, async context) are exactly Nest's.
 */
export class CompiledHandler {
  constructor(private readonly plan: HandlerPlan) {}

  /** Resolves with the handler's result (an Observable's last value) or rejects with what the filters made of the error. */
  invoke(payload: unknown, context: unknown): Promise<unknown> {
    const args = [payload, context];
    try {
      const result = this.run(args);
      if (!isThenable(result)) return Promise.resolve(result);
      return Promise.resolve(result).catch((error: unknown) => this.filter(error, args));
    } catch (error) {
      return this.filter(error, args);
    }
  }

  /** The guards, then the rest; synchronous as long as every step is. */
  private run(args: unknown[]): unknown {
    const { guards } = this.plan;
    if (guards.length === 0) return this.intercepted(args);
    const host = this.host(args);
    for (let i = 0; i < guards.length; i++) {
      const allowed = guards[i].canActivate(host);
      if (allowed === true) continue;
      if (allowed === false) throw new RpcException(FORBIDDEN_MESSAGE);
      return this.guardsFrom(i, allowed, host, args);
    }
    return this.intercepted(args);
  }

  /** The rest of the guards once one answered asynchronously (a Promise or an Observable). */
  private async guardsFrom(index: number, pending: unknown, host: ExecutionContextHost, args: unknown[]): Promise<unknown> {
    const { guards } = this.plan;
    let allowed = pending;
    for (let i = index; ; ) {
      let value = await allowed;
      if (isObservable(value)) value = await lastValueFrom(value);
      if (!value) throw new RpcException(FORBIDDEN_MESSAGE);
      if (++i >= guards.length) break;
      allowed = guards[i].canActivate(host);
    }
    return this.intercepted(args);
  }

  private intercepted(args: unknown[]): unknown {
    const { interceptors, interceptorsConsumer, instance, callback } = this.plan;
    if (interceptors.length === 0) return this.handle(args);
    const observable = interceptorsConsumer.intercept(
      interceptors as NestInterceptor[],
      args,
      instance,
      callback,
      async () => this.handle(args, false),
      'rpc',
    );
    return observable.then(settle);
  }

  /**
   * The pipes, then the handler. `settled`: an Observable result becomes its last value (without interceptors);
   * interceptors get the handler's result as Nest gives it to them.
   */
  private handle(args: unknown[], settled = true): unknown {
    const { params, instance, callback } = this.plan;
    const done = settled ? settle : same;
    if (params.length === 0) return done(callback.apply(instance, args));
    const values = new Array<unknown>(this.plan.argsLength);
    for (let p = 0; p < params.length; p++) {
      const param = params[p];
      let value = param.extract(args);
      for (let i = 0; i < param.pipes.length; i++) {
        value = param.pipes[i].transform(value, param.metadata);
        if (isThenable(value)) return this.handleAsync(args, values, p, i, value).then(done);
      }
      values[param.index] = value;
    }
    return done(callback.apply(instance, values));
  }

  /** The rest of the pipes once one answered with a promise. */
  private async handleAsync(args: unknown[], values: unknown[], fromParam: number, fromPipe: number, pending: unknown): Promise<unknown> {
    const { params, instance, callback } = this.plan;
    for (let p = fromParam; p < params.length; p++) {
      const param = params[p];
      let value = p === fromParam ? await pending : param.extract(args);
      for (let i = p === fromParam ? fromPipe + 1 : 0; i < param.pipes.length; i++) {
        value = await param.pipes[i].transform(value, param.metadata);
      }
      values[param.index] = value;
    }
    return callback.apply(instance, values);
  }

  /** What the exception filters make of an error: usually a rejection with it (mapped); a filter may also answer. */
  private filter(error: unknown, args: unknown[]): Promise<unknown> {
    const answer = this.plan.filters.handle(error as Error, this.host(args));
    return isObservable(answer) ? lastValueFrom(answer, { defaultValue: undefined }) : Promise.reject(error);
  }

  private host(args: unknown[]): ExecutionContextHost {
    const host = new ExecutionContextHost(args, this.plan.instance.constructor as never, this.plan.callback);
    host.setType('rpc');
    return host;
  }
}

const same = (result: unknown) => result;

/** A handler's value as the caller gets it: a promise's value, an Observable's last value (or undefined). */
function settle(result: unknown): unknown {
  if (isObservable(result)) return lastValueFrom(result, { defaultValue: undefined });
  if (isThenable(result)) return Promise.resolve(result).then(settle);
  return result;
}
