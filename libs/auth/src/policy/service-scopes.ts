/**
 * Which service may call which target with which scopes: caller -> target -> scopes. Whatever is not listed is
 * not granted. The issuer puts a caller's grant for a target into its tokens, and the verifier keeps only the
 * scopes this policy grants the token's issuer, so a token that claims more than its issuer may have gets no more.
 */
export type ScopePolicy = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** The services of the system: only they may present service tokens (tests add theirs with `extraGrants`). */
export const SERVICES = ['gateway', 'orders', 'inventory', 'payments', 'notifications'] as const;

/** The static policy of the system. inventory, payments and notifications call no service. */
export const SERVICE_SCOPES: ScopePolicy = {
  orders: {
    inventory: ['inventory:reserve', 'inventory:release', 'inventory:read'],
    payments: ['payments:charge', 'payments:refund', 'payments:read'],
    // reconciliation reads every service's effects of an order
    notifications: ['notifications:read'],
  },
  gateway: {
    orders: ['orders:place', 'orders:read'],
    inventory: ['inventory:read'],
    notifications: ['notifications:read'],
    payments: ['payments:read'],
  },
};

const SCOPE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

/** The policy with `extra` grants added (tests, the conformance caller); rejects malformed scope names. */
export function withGrants(policy: ScopePolicy, extra: ScopePolicy = {}): ScopePolicy {
  const merged: Record<string, Record<string, readonly string[]>> = {};
  for (const source of [policy, extra]) {
    for (const [caller, targets] of Object.entries(source)) {
      for (const [target, scopes] of Object.entries(targets)) {
        for (const scope of scopes) {
          if (!SCOPE.test(scope)) throw new Error(`scope "${scope}" granted to ${caller} for ${target} is not <area>:<action>`);
        }
        const row = (merged[caller] ??= {});
        row[target] = [...new Set([...(row[target] ?? []), ...scopes])];
      }
    }
  }
  return merged;
}

/** The scopes `caller` is granted for calls to `target` (empty when none). */
export function grantedScopes(policy: ScopePolicy, caller: string, target: string): readonly string[] {
  return policy[caller]?.[target] ?? [];
}

/** Every service the policy names (callers and targets), plus SERVICES. */
export function knownServices(policy: ScopePolicy): ReadonlySet<string> {
  const names = new Set<string>(SERVICES);
  for (const [caller, targets] of Object.entries(policy)) {
    names.add(caller);
    for (const target of Object.keys(targets)) names.add(target);
  }
  return names;
}
