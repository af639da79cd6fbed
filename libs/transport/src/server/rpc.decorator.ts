import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { MethodRef } from '@app/contracts';

export const RPC_METHOD = 'switchboard:rpc-method';

/**
 * Declares the handler of a contract method. The same declaration serves every transport, gRPC included.
 * The handler receives the validated request and a CallContext: `handle(request, ctx)`.
 */
export const Rpc = (method: MethodRef): MethodDecorator =>
  applyDecorators(MessagePattern(method.pattern), SetMetadata(RPC_METHOD, method), requestAndContextByDefault);

/** Without parameter decorators Nest passes only the payload; `@Rpc` and `@OnEvent` handlers get `(request, ctx)`. */
export const requestAndContextByDefault: MethodDecorator = (target, key) => {
  if (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key)) return;
  Payload()(target, key, 0);
  Ctx()(target, key, 1);
};

/** Parameter decorator for the CallContext, for handlers that also use `@Payload()`. */
export const Call = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToRpc().getContext());
