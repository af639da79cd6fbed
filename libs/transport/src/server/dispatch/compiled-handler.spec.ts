import {
  ArgumentMetadata,
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  Controller,
  ExecutionContext,
  INestApplication,
  Injectable,
  NestInterceptor,
  PipeTransform,
  RpcExceptionFilter,
  Scope,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { Observable, of, map, throwError, delay } from 'rxjs';
import { z } from 'zod';
import { defineService, method } from '@app/contracts';
import { Call, Rpc } from '../rpc.decorator';
import { CallContext } from '../../metadata/call-context';
import { SwitchboardModule } from '../../nest/switchboard.module';
import { connectSwitchboardServer } from '../../nest/connect-switchboard-server';
import { clientToken } from '../../nest/tokens';
import type { ServiceClient } from '../../client/service-client';
import { MemoryBroker } from '../../memory/memory-broker';
import { RpcError } from '../../status/rpc-error';
import { StatusCode } from '../../status/status-code';
import { HandlerCompiler } from './handler-compiler';

const Text = z.object({ text: z.string() }).strict();
const method_ = (name: string) => method({ name, request: Text, requestType: 'Text', response: Text, responseType: 'Text', idempotent: false });

/** A contract of its own: every way a handler can use Nest's pipeline. */
const PipelineV1 = defineService({
  service: 'pipeline',
  version: 'v1',
  grpcService: 'Pipeline',
  protoRoot: join(__dirname, 'unused'),
  protoFile: 'unused.proto',
  methods: {
    plain: method_('Plain'),
    guarded: method_('Guarded'),
    asyncGuarded: method_('AsyncGuarded'),
    piped: method_('Piped'),
    intercepted: method_('Intercepted'),
    streamed: method_('Streamed'),
    filtered: method_('Filtered'),
    recovered: method_('Recovered'),
    decorated: method_('Decorated'),
    scoped: method_('Scoped'),
  },
});
const M = PipelineV1.methods;

/** The order in which the pipeline's parts ran, per call. */
const steps: string[] = [];

@Injectable()
class DenyingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    steps.push(`guard:${context.getType()}`);
    return context.switchToRpc().getData<{ text: string }>().text !== 'deny';
  }
}

@Injectable()
class AsyncGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    steps.push('async-guard');
    return true;
  }
}

@Injectable()
class ObservableGuard implements CanActivate {
  canActivate(context: ExecutionContext): Observable<boolean> {
    steps.push('observable-guard');
    return of(context.switchToRpc().getData<{ text: string }>().text !== 'deny').pipe(delay(1));
  }
}

/** Method pipes see every parameter (the context too), as in Nest: these change only the payload. */
class UpperCasePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type !== 'body') return value;
    steps.push('pipe');
    return typeof value === 'string' ? value.toUpperCase() : { text: (value as { text: string }).text.toUpperCase() };
  }
}

class AsyncSuffixPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type !== 'body') return value;
    steps.push('async-pipe');
    return { text: `${(value as { text: string }).text}+` };
  }
}

@Injectable()
class ExclaimInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    steps.push(`interceptor:${CallContext.current()?.method}`);
    return next.handle().pipe(map((value: { text: string }) => ({ text: `${value.text}!` })));
  }
}

class TeapotError extends Error {}
class RecoverableError extends Error {}

@Catch(TeapotError)
class TeapotFilter implements RpcExceptionFilter<TeapotError> {
  catch(error: TeapotError): Observable<never> {
    steps.push('filter');
    return throwError(() => new RpcError(StatusCode.FAILED_PRECONDITION, `teapot: ${error.message}`));
  }
}

@Catch(RecoverableError)
class RecoveringFilter implements RpcExceptionFilter<RecoverableError> {
  catch(_error: RecoverableError, host: ArgumentsHost): Observable<unknown> {
    steps.push('recovering-filter');
    return of({ text: `recovered ${host.switchToRpc().getData<{ text: string }>().text}` });
  }
}

@Controller()
class PipelineController {
  @Rpc(M.plain)
  plain(request: { text: string }, ctx: CallContext) {
    steps.push('handler');
    return { text: `${request.text} via ${ctx.method} (${CallContext.current() === ctx ? 'in context' : 'no context'})` };
  }

  @Rpc(M.guarded)
  @UseGuards(DenyingGuard)
  guarded(request: { text: string }) {
    steps.push('handler');
    return { text: request.text };
  }

  @Rpc(M.asyncGuarded)
  @UseGuards(AsyncGuard, ObservableGuard, DenyingGuard)
  asyncGuarded(request: { text: string }) {
    steps.push('handler');
    return { text: request.text };
  }

  @Rpc(M.piped)
  @UsePipes(UpperCasePipe, AsyncSuffixPipe)
  async piped(request: { text: string }) {
    steps.push('handler');
    return { text: request.text };
  }

  @Rpc(M.intercepted)
  @UseGuards(DenyingGuard)
  @UseInterceptors(ExclaimInterceptor)
  @UsePipes(UpperCasePipe)
  intercepted(request: { text: string }) {
    steps.push('handler');
    return { text: request.text };
  }

  @Rpc(M.streamed)
  streamed(request: { text: string }): Observable<{ text: string }> {
    steps.push('handler');
    return of({ text: 'first' }, { text: `last ${request.text}` });
  }

  @Rpc(M.filtered)
  @UseFilters(TeapotFilter)
  filtered(request: { text: string }) {
    steps.push('handler');
    throw new TeapotError(request.text);
  }

  @Rpc(M.recovered)
  @UseFilters(RecoveringFilter)
  async recovered(): Promise<never> {
    steps.push('handler');
    throw new RecoverableError('boom');
  }

  @Rpc(M.decorated)
  decorated(@Payload('text', UpperCasePipe) text: unknown, @Call() ctx: CallContext) {
    steps.push('handler');
    return { text: `${JSON.stringify(text)} ${ctx.method}` };
  }
}

/** A request-scoped controller: left to Nest's own per-call handler. */
@Controller({ scope: Scope.REQUEST })
class ScopedController {
  @Rpc(M.scoped)
  @UseGuards(DenyingGuard)
  scoped(request: { text: string }) {
    steps.push('handler');
    return { text: `scoped ${request.text}` };
  }
}

describe('compiled handlers: Nest guards, pipes, interceptors and filters on the lean path', () => {
  let app: INestApplication;
  let client: ServiceClient<typeof PipelineV1>;
  let compiled: Map<string, unknown>;

  beforeAll(async () => {
    const memoryBroker = new MemoryBroker();
    @Module({
      imports: [SwitchboardModule.forService({ service: 'pipeline', clients: [PipelineV1], config: { transport: 'memory', memoryBroker } })],
      controllers: [PipelineController, ScopedController],
      providers: [DenyingGuard, AsyncGuard, ObservableGuard, ExclaimInterceptor],
    })
    class PipelineModule {}
    app = await NestFactory.create(PipelineModule, { logger: false, abortOnError: false });
    connectSwitchboardServer(app, [PipelineV1]);
    await app.startAllMicroservices();
    await app.init();
    client = app.get(clientToken(PipelineV1));
    compiled = app.get(HandlerCompiler).handlers('rpc');
  });

  afterAll(() => app?.close());
  beforeEach(() => (steps.length = 0));

  it('compiles every handler of a static controller, and leaves request-scoped ones to Nest', () => {
    expect([...compiled.keys()].sort()).toEqual(
      Object.values(M)
        .map((m) => m.pattern)
        .filter((pattern) => pattern !== M.scoped.pattern)
        .sort(),
    );
  });

  it('runs a plain handler with the request (validated by the contract pipe) and the CallContext, inside it', async () => {
    await expect(client.plain({ text: 'hi' })).resolves.toEqual({ text: 'hi via pipeline.v1.Plain (in context)' });
    await expect(client.plain({ text: 1 } as never)).rejects.toMatchObject({ code: StatusCode.INVALID_ARGUMENT });
    expect(steps).toEqual(['handler']);
  });

  it('runs a guard before the handler, and a refusing guard stops the call', async () => {
    await expect(client.guarded({ text: 'ok' })).resolves.toEqual({ text: 'ok' });
    expect(steps).toEqual(['guard:rpc', 'handler']);
    steps.length = 0;
    await expect(client.guarded({ text: 'deny' })).rejects.toMatchObject({ message: 'Forbidden resource' });
    expect(steps).toEqual(['guard:rpc']);
  });

  it('waits for guards that answer with a promise or an Observable, in order', async () => {
    await expect(client.asyncGuarded({ text: 'ok' })).resolves.toEqual({ text: 'ok' });
    expect(steps).toEqual(['async-guard', 'observable-guard', 'guard:rpc', 'handler']);
    steps.length = 0;
    await expect(client.asyncGuarded({ text: 'deny' })).rejects.toMatchObject({ message: 'Forbidden resource' });
    expect(steps).toEqual(['async-guard', 'observable-guard']);
  });

  it('applies synchronous and asynchronous pipes in order before the handler', async () => {
    await expect(client.piped({ text: 'abc' })).resolves.toEqual({ text: 'ABC+' });
    expect(steps).toEqual(['pipe', 'async-pipe', 'handler']);
  });

  it("runs a user's interceptor around the handler (after guards, before pipes), inside the call's context", async () => {
    await expect(client.intercepted({ text: 'abc' })).resolves.toEqual({ text: 'ABC!' });
    expect(steps).toEqual(['guard:rpc', 'interceptor:pipeline.v1.Intercepted', 'pipe', 'handler']);
  });

  it("answers with an Observable handler's last value", async () => {
    await expect(client.streamed({ text: 'x' })).resolves.toEqual({ text: 'last x' });
  });

  it('lets exception filters map an error, or answer in its place', async () => {
    await expect(client.filtered({ text: 'short and stout' })).rejects.toMatchObject({
      code: StatusCode.FAILED_PRECONDITION,
      message: 'teapot: short and stout',
    });
    expect(steps).toEqual(['handler', 'filter']);
    steps.length = 0;
    await expect(client.recovered({ text: 'r' })).resolves.toEqual({ text: 'recovered r' });
    expect(steps).toEqual(['handler', 'recovering-filter']);
  });

  it('fills parameters from decorators (a payload property with its pipe, a custom decorator)', async () => {
    await expect(client.decorated({ text: 'abc' })).resolves.toEqual({ text: '"ABC" pipeline.v1.Decorated' });
  });

  it('still serves request-scoped controllers, through Nest, with their guards', async () => {
    await expect(client.scoped({ text: 'ok' })).resolves.toEqual({ text: 'scoped ok' });
    expect(steps).toEqual(['guard:rpc', 'handler']);
    await expect(client.scoped({ text: 'deny' })).rejects.toMatchObject({ message: 'Forbidden resource' });
  });
});
