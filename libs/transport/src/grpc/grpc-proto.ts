import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import type { MethodRef, ServiceContract } from '@app/contracts';

/** How protobuf messages become payloads: camelCase fields, numbers, enum names, proto3 `optional` left absent. */
const LOAD_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: false,
};

/** Serializes a method's request and deserializes its response, as the client needs them. */
export interface MethodCodec {
  serialize(request: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

const definitions = new Map<string, protoLoader.PackageDefinition>();

/** Loads a contract's .proto file once per process. */
export function loadProto(contract: ServiceContract): protoLoader.PackageDefinition {
  const file = join(contract.protoRoot, contract.protoFile);
  let definition = definitions.get(file);
  if (!definition) {
    definition = protoLoader.loadSync(contract.protoFile, { ...LOAD_OPTIONS, includeDirs: [contract.protoRoot] });
    definitions.set(file, definition);
  }
  return definition;
}

function isServiceDefinition(value: protoLoader.AnyDefinition | undefined): value is protoLoader.ServiceDefinition {
  return value !== undefined && !('format' in value);
}

function isMessageDefinition(
  value: protoLoader.AnyDefinition | undefined,
): value is protoLoader.MessageTypeDefinition<object, object> {
  return value !== undefined && value.format === 'Protocol Buffer 3 DescriptorProto';
}

/** The gRPC service of a contract (`conformance.v1.Conformance`), as `Server.addService` takes it. */
export function serviceDefinition(contract: ServiceContract): protoLoader.ServiceDefinition {
  const name = `${contract.package}.${contract.grpcService}`;
  const service = loadProto(contract)[name];
  if (!isServiceDefinition(service)) {
    throw new Error(`${join(contract.protoRoot, contract.protoFile)} declares no service ${name}`);
  }
  return service;
}

export function messageDefinition(contract: ServiceContract, typeName: string): protoLoader.MessageTypeDefinition<object, object> {
  const name = `${contract.package}.${typeName}`;
  const message = loadProto(contract)[name];
  if (!isMessageDefinition(message)) {
    throw new Error(`${join(contract.protoRoot, contract.protoFile)} declares no message ${name}`);
  }
  return message;
}

/**
 * The codec of a method, from its request/response message types rather than its path, so a method the .proto
 * does not declare can still be sent (the server then answers UNIMPLEMENTED).
 */
export function methodCodec(method: MethodRef): MethodCodec {
  const request = messageDefinition(method.contract, method.requestType);
  const response = messageDefinition(method.contract, method.responseType);
  return {
    serialize: (payload) => request.serialize(payload as object),
    deserialize: (bytes) => response.deserialize(bytes),
  };
}
