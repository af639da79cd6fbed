import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { defineService, method } from './contract';
import { CONTRACTS_PROTO_ROOT } from './proto-root';
import { findProtoDrift } from './proto-drift';
import { ALL_CONTRACTS } from './registry';

describe('contracts match their .proto files', () => {
  it.each(ALL_CONTRACTS.map((c) => [c.package, c] as const))('%s has no drift', (_name, contract) => {
    expect(findProtoDrift(contract)).toEqual([]);
  });

  // The breaking-change check (buf) guards the .proto files; this closes the loop for the TypeScript side: every
  // .proto file is some contract's, so no contract type can change without its .proto (and the check) seeing it.
  it('every .proto file under the proto root belongs to a contract', () => {
    const protoFiles = (readdirSync(CONTRACTS_PROTO_ROOT, { recursive: true }) as string[])
      .filter((path) => path.endsWith('.proto'))
      .map((path) => path.split('\\').join('/'))
      .sort();
    expect(protoFiles).toEqual(ALL_CONTRACTS.map((c) => c.protoFile).sort());
  });

  const drifted = (request: z.ZodType, name = 'GetStock', requestType = 'GetStockRequest') =>
    findProtoDrift(
      defineService({
        service: 'inventory',
        version: 'v1',
        grpcService: 'Inventory',
        protoRoot: CONTRACTS_PROTO_ROOT,
        protoFile: 'inventory/v1/inventory.proto',
        methods: {
          m: method({ name, request, requestType, response: z.object({}), responseType: 'StockLevel', idempotent: true }),
        },
      }),
    );

  it('reports a renamed field, a wrong type, a missing rpc and unlisted rpcs', () => {
    expect(drifted(z.object({ skew: z.string() }))).toEqual(
      expect.arrayContaining([
        'inventory.v1.GetStock request: field skew is not in inventory.v1.GetStockRequest',
        'inventory.v1.GetStock request: proto field inventory.v1.GetStockRequest.sku is not in the schema',
      ]),
    );
    expect(drifted(z.object({ sku: z.number().int() }))).toContain(
      'inventory.v1.GetStock request.sku: schema type number does not match proto type TYPE_STRING',
    );
    expect(drifted(z.object({ sku: z.array(z.string()) }))).toContain(
      'inventory.v1.GetStock request.sku: array in the schema, not repeated in the proto',
    );
    expect(drifted(z.object({ sku: z.string().optional() }))).toContain(
      'inventory.v1.GetStock request.sku: optional in the schema, not in the proto',
    );
    expect(drifted(z.object({ sku: z.string() }), 'Nope')).toContain(
      'inventory.v1.Nope: rpc Nope is missing from the proto',
    );
    expect(drifted(z.object({ sku: z.string() }))).toContain(
      'inventory.v1.Inventory.Reserve: rpc is in the proto but not in the contract',
    );
  });
});
