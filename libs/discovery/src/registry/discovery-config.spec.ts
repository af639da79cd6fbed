import { advertisedAddress } from './advertised-address';
import { loadDiscoveryConfig } from './discovery-config';
import { endpointsOf, parseInstanceRecord } from './instance-record';

describe('loadDiscoveryConfig', () => {
  it('defaults to the static mode with a 10 s TTL and a heartbeat of a third of it', () => {
    expect(loadDiscoveryConfig({})).toMatchObject({ mode: 'static', ttlMs: 10_000, heartbeatMs: 3333 });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadDiscoveryConfig({ DISCOVERY: 'consul' })).toThrow(/DISCOVERY must be one of static, nats, redis, dns/);
    expect(() => loadDiscoveryConfig({ DISCOVERY_TTL_MS: '10' })).toThrow(/DISCOVERY_TTL_MS/);
    expect(() => loadDiscoveryConfig({ DISCOVERY_TTL_MS: '1000', DISCOVERY_HEARTBEAT_MS: '600' })).toThrow(/at most half/);
    expect(() => loadDiscoveryConfig({ RPC_ADVERTISE: 'no port' })).toThrow(/RPC_ADVERTISE/);
    expect(() => loadDiscoveryConfig({ INSTANCE_ZONE: 'a zone' })).toThrow(/INSTANCE_ZONE/);
  });
});

describe('advertisedAddress', () => {
  it('is RPC_ADVERTISE, else the listen address with a wildcard host replaced by the host name', () => {
    expect(advertisedAddress('0.0.0.0:50052', 'inventory-0.inventory:50052', 'h')).toBe('inventory-0.inventory:50052');
    expect(advertisedAddress('0.0.0.0:50052', undefined, 'h')).toBe('h:50052');
    expect(advertisedAddress('[::]:50052', undefined, 'h')).toBe('h:50052');
    expect(advertisedAddress('10.0.0.7:50052', undefined, 'h')).toBe('10.0.0.7:50052');
    expect(advertisedAddress(undefined, undefined, 'h')).toBeUndefined();
  });
});

describe('instance records', () => {
  const valid = { service: 'inventory', instanceId: 'i-1', versions: ['v1'], transport: 'tcp', address: 'h:1', startedAt: 1, heartbeatAt: 2, handled: 0, inFlight: 0 };

  it('parses a valid record and refuses malformed ones', () => {
    expect(parseInstanceRecord(JSON.stringify(valid))).toEqual(valid);
    expect(parseInstanceRecord('{')).toBeUndefined();
    expect(parseInstanceRecord(JSON.stringify({ ...valid, versions: ['1.0'] }))).toBeUndefined();
    expect(parseInstanceRecord(JSON.stringify({ ...valid, handled: -1 }))).toBeUndefined();
    expect(parseInstanceRecord(JSON.stringify({ ...valid, service: 'Inventory!' }))).toBeUndefined();
  });

  it('gives endpoints only for instances with an address, in a stable order', () => {
    const b = { ...valid, instanceId: 'i-2', address: 'a:1' };
    const brokered = { ...valid, instanceId: 'i-3', address: undefined };
    expect(endpointsOf([valid, b, brokered]).map((e) => e.instanceId)).toEqual(['i-2', 'i-1']);
  });
});
