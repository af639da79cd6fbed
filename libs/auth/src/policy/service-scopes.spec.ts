import { grantedScopes, knownServices, SERVICE_SCOPES, withGrants } from './service-scopes';

describe('service scopes', () => {
  it('grants orders what the order flow needs, and notifications nothing on payments', () => {
    expect(grantedScopes(SERVICE_SCOPES, 'orders', 'payments')).toEqual(['payments:charge', 'payments:refund', 'payments:read']);
    expect(grantedScopes(SERVICE_SCOPES, 'orders', 'inventory')).toEqual(['inventory:reserve', 'inventory:release', 'inventory:read']);
    expect(grantedScopes(SERVICE_SCOPES, 'gateway', 'payments')).toEqual(['payments:read']);
    expect(grantedScopes(SERVICE_SCOPES, 'notifications', 'payments')).toEqual([]);
    expect(grantedScopes(SERVICE_SCOPES, 'nobody', 'payments')).toEqual([]);
  });

  it('merges extra grants without losing the static ones, and rejects malformed scopes', () => {
    const policy = withGrants(SERVICE_SCOPES, { orders: { payments: ['payments:audit'] }, conformance: { conformance: ['conformance:call'] } });
    expect(policy.orders.payments).toEqual(['payments:charge', 'payments:refund', 'payments:read', 'payments:audit']);
    expect(knownServices(policy).has('conformance')).toBe(true);
    expect(() => withGrants(SERVICE_SCOPES, { orders: { payments: ['payments charge'] } })).toThrow(/not <area>:<action>/);
  });
});
