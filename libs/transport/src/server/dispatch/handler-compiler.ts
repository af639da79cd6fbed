import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ExternalContextCreator, MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { ApplicationConfig } from '@nestjs/core/application-config';
import { GuardsContextCreator } from '@nestjs/core/guards/guards-context-creator';
import { GuardsConsumer } from '@nestjs/core/guards/guards-consumer';
import { ContextUtils } from '@nestjs/core/helpers/context-utils';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import type { NestContainer } from '@nestjs/core/injector/container';
import { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer';
import { InterceptorsContextCreator } from '@nestjs/core/interceptors/interceptors-context-creator';
import { ParamsTokenFactory } from '@nestjs/core/pipes/params-token-factory';
import { PipesConsumer } from '@nestjs/core/pipes/pipes-consumer';
import { PipesContextCreator } from '@nestjs/core/pipes/pipes-context-creator';
import { ExceptionFiltersContext } from '@nestjs/microservices/context/exception-filters-context';
import { RpcContextCreator } from '@nestjs/microservices/context/rpc-context-creator';
import { RpcProxy } from '@nestjs/microservices/context/rpc-proxy';
import { DEFAULT_CALLBACK_METADATA } from '@nestjs/microservices/context/rpc-metadata-constants';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum';
import { ListenerMetadataExplorer } from '@nestjs/microservices/listener-metadata-explorer';
import { CompiledHandler, HandlerPlan, ParamPlan } from './compiled-handler';

/** A handler found on a controller: a pattern, and whether it handles events or calls. */
interface FoundHandler {
  pattern: string;
  isEventHandler: boolean;
  handler: CompiledHandler;
}

/**
 * Builds, once at start, the handlers of an app's `@MessagePattern` / `@Rpc` / `@EventPattern` methods as
 * CompiledHandlers: the same guards, interceptors, pipes and exception filters Nest would apply (global ones
 * included, as with `inheritAppConfig`), resolved by Nest's own context creators. Controllers whose dependency
 * tree is not static (request-scoped) are left to Nest's per-request handlers.
 */
@Injectable()
export class HandlerCompiler {
  private found?: FoundHandler[];

  constructor(
    private readonly modules: ModulesContainer,
    private readonly external: ExternalContextCreator,
  ) {}

  /** The compiled handler of each call pattern (`@Rpc` / `@MessagePattern`), by pattern. */
  handlers(kind: 'rpc'): Map<string, CompiledHandler>;
  /** The compiled handlers of each event type (`@OnEvent` / `@EventPattern`: several controllers may handle one). */
  handlers(kind: 'event'): Map<string, CompiledHandler[]>;
  handlers(kind: 'rpc' | 'event'): Map<string, CompiledHandler> | Map<string, CompiledHandler[]> {
    const found = (this.found ??= this.compileAll());
    if (kind === 'rpc') return new Map(found.filter((h) => !h.isEventHandler).map((h) => [h.pattern, h.handler]));
    const events = new Map<string, CompiledHandler[]>();
    for (const h of found) if (h.isEventHandler) events.set(h.pattern, [...(events.get(h.pattern) ?? []), h.handler]);
    return events;
  }

  private compileAll(): FoundHandler[] {
    const container = (this.external as unknown as { container?: NestContainer }).container;
    if (!container?.applicationConfig) {
      throw new Error("HandlerCompiler: cannot reach Nest's container (ExternalContextCreator.container); check the @nestjs/core version");
    }
    const config: ApplicationConfig = container.applicationConfig;
    const creators = {
      guards: new GuardsContextCreator(container, config),
      interceptors: new InterceptorsContextCreator(container, config),
      pipes: new PipesContextCreator(container, config),
      filters: new ExceptionFiltersContext(container, config),
    };
    const rpc = new RpcContextCreator(
      new RpcProxy(),
      creators.filters,
      creators.pipes,
      new PipesConsumer(),
      creators.guards,
      new GuardsConsumer(),
      creators.interceptors,
      new InterceptorsConsumer(),
    );
    const interceptorsConsumer = new InterceptorsConsumer();
    const explorer = new ListenerMetadataExplorer(new MetadataScanner());
    const contextUtils = new ContextUtils();
    const tokens = new ParamsTokenFactory();
    const found: FoundHandler[] = [];

    for (const [moduleKey, module] of this.modules) {
      for (const wrapper of module.controllers.values()) {
        const instance = wrapper.instance as Record<string, unknown> | undefined;
        if (!instance || !wrapper.isDependencyTreeStatic()) continue;
        for (const definition of explorer.explore(instance)) {
          const callback = definition.targetCallback as (...args: unknown[]) => unknown;
          const methodName = definition.methodKey;
          const { argsLength, paramtypes, getParamsMetadata } = rpc.getMetadata(instance, methodName, DEFAULT_CALLBACK_METADATA, 'rpc');
          const pipes = creators.pipes.create(instance, callback, moduleKey, STATIC_CONTEXT) as PipeTransform[];
          const params: ParamPlan[] = contextUtils.mergeParamsMetatypes(getParamsMetadata(moduleKey), paramtypes).map((param) => ({
            index: param.index,
            type: param.type,
            data: param.data,
            extract: (args: unknown[]) => param.extractValue(...args),
            pipes: pipes.concat((param.pipes ?? []) as PipeTransform[]),
            metadata: { metatype: param.metatype, type: tokens.exchangeEnumForString(param.type as never), data: param.data } as ArgumentMetadata,
          }));
          const plan: HandlerPlan = {
            instance,
            callback,
            guards: creators.guards.create(instance, callback, moduleKey, STATIC_CONTEXT),
            interceptors: creators.interceptors.create(instance, callback, moduleKey, STATIC_CONTEXT),
            params: passesArgsAsTheyAre(params, argsLength) ? [] : params,
            argsLength,
            filters: creators.filters.create(instance, callback as never, moduleKey, STATIC_CONTEXT),
            interceptorsConsumer,
          };
          const handler = new CompiledHandler(plan);
          for (const pattern of definition.patterns) {
            if (typeof pattern !== 'string') continue;
            found.push({ pattern, isEventHandler: definition.isEventHandler, handler });
          }
        }
      }
    }
    return found;
  }
}

/** `(@Payload() request, @Ctx() context)` without pipes: the handler's arguments are the call's, untouched. */
function passesArgsAsTheyAre(params: readonly ParamPlan[], argsLength: number): boolean {
  if (argsLength !== 2 || params.length !== 2 || params.some((param) => param.pipes.length > 0)) return false;
  const byIndex = [...params].sort((a, b) => a.index - b.index);
  return byIndex[0].type === RpcParamtype.PAYLOAD && byIndex[0].data === undefined && byIndex[1].type === RpcParamtype.CONTEXT;
}
