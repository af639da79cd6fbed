import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServiceContract } from './contract';

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
  oneofIndex: number;
  /** proto3 `optional`: proto-loader leaves proto3Optional unset but keeps the synthetic oneof `_<field>`. */
  optional?: boolean;
}
interface MessageDescriptor {
  type: { field: FieldDescriptor[]; oneofDecl: { name: string }[] };
}
interface MethodDescriptor {
  requestType: { type: { name: string } };
  responseType: { type: { name: string } };
}

const INTEGER_TYPES = new Set(['TYPE_INT32', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_SINT32', 'TYPE_SINT64']);
const FLOAT_TYPES = new Set(['TYPE_DOUBLE', 'TYPE_FLOAT']);

/** proto-loader gives a field's message type relative to its package unless it starts with a dot. */
const resolveTypeName = (name: string, pkg: string) => (name.startsWith('.') ? name.slice(1) : `${pkg}.${name}`);
const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function def(schema: z.ZodType): { type: string; [key: string]: unknown } {
  return (schema as unknown as { _zod: { def: { type: string } } })._zod.def;
}

/**
 * Compares a contract's zod schemas with the messages of its .proto file and lists every difference:
 * methods missing on either side, request/response message names, field names, scalar types, repetition and
 * optionality. An empty list means the TypeScript types and the wire format cannot drift apart.
 */
export function findProtoDrift(contract: ServiceContract): string[] {
  const definition = protoLoader.loadSync(join(contract.protoRoot, contract.protoFile), {
    includeDirs: [contract.protoRoot],
  });
  const problems: string[] = [];
  const serviceName = `${contract.package}.${contract.grpcService}`;
  const service = definition[serviceName] as unknown as Record<string, MethodDescriptor> | undefined;
  if (!service) return [`service ${serviceName} is missing from ${contract.protoFile}`];

  const protoMethods = new Map(Object.entries(service));
  for (const ref of Object.values(contract.methods)) {
    const rpc = protoMethods.get(ref.name);
    if (!rpc) {
      problems.push(`${ref.pattern}: rpc ${ref.name} is missing from the proto`);
      continue;
    }
    protoMethods.delete(ref.name);
    for (const [side, schema, expected, actual] of [
      ['request', ref.request, ref.requestType, rpc.requestType.type.name],
      ['response', ref.response, ref.responseType, rpc.responseType.type.name],
    ] as const) {
      if (expected !== actual) problems.push(`${ref.pattern}: ${side} is ${actual} in the proto, ${expected} in the contract`);
      compareMessage(`${ref.pattern} ${side}`, schema, `${contract.package}.${actual}`, definition, problems);
    }
  }
  for (const name of protoMethods.keys()) problems.push(`${serviceName}.${name}: rpc is in the proto but not in the contract`);
  return problems;
}

function compareMessage(
  where: string,
  schema: z.ZodType,
  typeName: string,
  definition: protoLoader.PackageDefinition,
  problems: string[],
): void {
  const message = definition[typeName] as unknown as MessageDescriptor | undefined;
  if (!message) {
    problems.push(`${where}: message ${typeName} not found`);
    return;
  }
  const d = def(schema);
  if (d.type !== 'object') {
    problems.push(`${where}: schema for ${typeName} is ${d.type}, not an object`);
    return;
  }
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  const oneofs = message.type.oneofDecl ?? [];
  const fields = new Map(
    message.type.field.map((f) => [camelCase(f.name), { ...f, optional: oneofs[f.oneofIndex]?.name === `_${f.name}` }]),
  );
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const field = fields.get(key);
    if (!field) {
      problems.push(`${where}: field ${key} is not in ${typeName}`);
      continue;
    }
    fields.delete(key);
    compareField(`${where}.${key}`, fieldSchema, field, definition, problems, typeName.slice(0, typeName.lastIndexOf('.')));
  }
  for (const name of fields.keys()) problems.push(`${where}: proto field ${typeName}.${name} is not in the schema`);
}

function compareField(
  where: string,
  schema: z.ZodType,
  field: FieldDescriptor,
  definition: protoLoader.PackageDefinition,
  problems: string[],
  typeScope: string,
): void {
  let current = schema;
  let optional = false;
  while (def(current).type === 'optional') {
    optional = true;
    current = def(current).innerType as z.ZodType;
  }
  const isMessage = field.type === 'TYPE_MESSAGE';
  if (optional && !field.optional && !isMessage) problems.push(`${where}: optional in the schema, not in the proto`);
  if (!optional && field.optional) problems.push(`${where}: optional in the proto, required in the schema`);

  const repeated = field.label === 'LABEL_REPEATED';
  if (def(current).type === 'array') {
    if (!repeated) problems.push(`${where}: array in the schema, not repeated in the proto`);
    current = def(current).element as z.ZodType;
  } else if (repeated) {
    problems.push(`${where}: repeated in the proto, not an array in the schema`);
  }

  const kind = def(current).type;
  const expected = (() => {
    switch (kind) {
      case 'string':
      case 'enum':
        return field.type === 'TYPE_STRING';
      case 'boolean':
        return field.type === 'TYPE_BOOL';
      case 'number':
        return (current as z.ZodNumber).isInt ? INTEGER_TYPES.has(field.type) : FLOAT_TYPES.has(field.type);
      case 'object':
        if (!isMessage) return false;
        compareMessage(where, current, resolveTypeName(field.typeName, typeScope), definition, problems);
        return true;
      default:
        return false;
    }
  })();
  if (!expected) problems.push(`${where}: schema type ${kind} does not match proto type ${field.type}`);
}
