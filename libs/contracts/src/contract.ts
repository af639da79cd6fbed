import { z } from 'zod';

/**
 * A service contract names a versioned service and its methods once. Everything else is derived from it:
 * the method pattern (`inventory.v1.Reserve`, used as NATS subject suffix, Redis/TCP/memory method name and Nest
 * pattern), the gRPC path (`/inventory.v1.Inventory/Reserve`) and the request/response TypeScript types.
 * The request and response schemas must match the messages in the contract's `.proto` file; a test proves it.
 */
export interface MethodDefinition<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** The rpc name in the .proto file, e.g. `Reserve`. */
  readonly name: string;
  readonly request: Req;
  readonly response: Res;
  /** Proto message names of the request and response. */
  readonly requestType: string;
  readonly responseType: string;
  /** True when calling it twice with the same input has the effect of calling it once (safe to retry). */
  readonly idempotent: boolean;
  /** Overrides of the client's retry policy for this method. */
  readonly retry?: { readonly maxAttempts?: number };
}

export interface ServiceDefinition<M extends Record<string, MethodDefinition>> {
  /** Logical service name, also the name of the app that serves it: `inventory`. */
  readonly service: string;
  readonly version: string;
  /** The gRPC service name inside the proto package: `Inventory`. */
  readonly grpcService: string;
  /** Absolute path of the folder that holds the proto tree, and the file inside it. */
  readonly protoRoot: string;
  readonly protoFile: string;
  readonly methods: M;
}

export interface MethodRef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType>
  extends MethodDefinition<Req, Res> {
  /** The service this method belongs to (`inventory`). */
  readonly service: string;
  /** `inventory.v1.Reserve`: the one name of this method on every transport. */
  readonly pattern: string;
  /** `/inventory.v1.Inventory/Reserve` */
  readonly grpcPath: string;
  readonly contract: ServiceContract;
}

export interface ServiceContract<M extends Record<string, MethodDefinition> = Record<string, MethodDefinition>>
  extends Omit<ServiceDefinition<M>, 'methods'> {
  /** Proto package and pattern prefix: `inventory.v1`. */
  readonly package: string;
  readonly methods: { readonly [K in keyof M]: MethodRef<M[K]['request'], M[K]['response']> };
  /** Looks a method up by pattern (`inventory.v1.Reserve`). */
  readonly byPattern: ReadonlyMap<string, MethodRef>;
}

export type RequestOf<M> = M extends MethodRef<infer Req, z.ZodType> ? z.input<Req> : never;
export type ResponseOf<M> = M extends MethodRef<z.ZodType, infer Res> ? z.output<Res> : never;

/** Declares a method; the generic parameters keep the zod schema types so request/response types are inferred. */
export function method<Req extends z.ZodType, Res extends z.ZodType>(
  definition: MethodDefinition<Req, Res>,
): MethodDefinition<Req, Res> {
  return definition;
}

export function defineService<M extends Record<string, MethodDefinition>>(
  definition: ServiceDefinition<M>,
): ServiceContract<M> {
  const pkg = `${definition.service}.${definition.version}`;
  const methods = {} as Record<string, MethodRef>;
  const byPattern = new Map<string, MethodRef>();
  const contract = { ...definition, package: pkg, methods, byPattern } as unknown as ServiceContract<M>;
  for (const [key, def] of Object.entries(definition.methods)) {
    const ref: MethodRef = Object.freeze({
      ...def,
      service: definition.service,
      pattern: `${pkg}.${def.name}`,
      grpcPath: `/${pkg}.${definition.grpcService}/${def.name}`,
      contract,
    });
    methods[key] = ref;
    byPattern.set(ref.pattern, ref);
  }
  return Object.freeze(contract);
}

/**
 * A domain event a service publishes: `orders.v1.OrderConfirmed`. Its type is the one name of the event on every
 * event bus (the JetStream subject suffix, the Redis stream name, the Nest event pattern).
 */
export interface EventRef<S extends z.ZodType = z.ZodType> {
  /** The publishing service. */
  readonly service: string;
  readonly version: string;
  readonly name: string;
  readonly type: string;
  readonly schema: S;
  /**
   * For work that is worthless late: the event expires this long after it is published, and a consumer that gets
   * it after that dead-letters it instead of handling it. Events without it are facts and never expire.
   */
  readonly expiresAfterMs?: number;
}

export type EventOf<E> = E extends EventRef<infer S> ? z.output<S> : never;

export function defineEvent<S extends z.ZodType>(definition: {
  service: string;
  version: string;
  name: string;
  schema: S;
  expiresAfterMs?: number;
}): EventRef<S> {
  return Object.freeze({ ...definition, type: `${definition.service}.${definition.version}.${definition.name}` });
}
