/**
 * An external OpenID Connect provider (Keycloak or similar) whose access tokens the gateway accepts beside its
 * own: tokens with `iss` exactly `issuer`, `aud` holding `audience`, signed with a key of the provider's JWKS.
 */
export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  /** The JWKS URL; undefined: discovered from `<issuer>/.well-known/openid-configuration` (`jwks_uri`). */
  readonly jwksUrl?: string;
  /** The claim that holds the customer id (`sub` by default). */
  readonly customerClaim: string;
  /** Only https URLs are fetched (NODE_ENV=production); otherwise http too. */
  readonly httpsOnly: boolean;
  /** Least time between two fetches of the JWKS asked for by tokens (an unknown key id, keys not loaded yet). */
  readonly minRefetchMs: number;
  /** Keys older than this are fetched again (in the background) when a token uses them. */
  readonly maxKeyAgeMs: number;
  /** Leeway on `exp` and `nbf` for clocks that differ between the provider and the gateway. */
  readonly clockToleranceSeconds: number;
}

export const OIDC_MIN_REFETCH_MS = 30_000;
export const OIDC_MAX_KEY_AGE_MS = 10 * 60_000;
export const OIDC_CLOCK_TOLERANCE_SECONDS = 5;

/** Claims that cannot name a customer. */
const NOT_A_CUSTOMER_CLAIM: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/**
 * Reads OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL and OIDC_CUSTOMER_CLAIM. None set: undefined (no external
 * provider). Otherwise the issuer and audience are required, and every URL the gateway fetches must be https when
 * `production`. Errors name the variable.
 */
export function loadOidcConfig(env: NodeJS.ProcessEnv, production: boolean): OidcConfig | undefined {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const issuer = read('OIDC_ISSUER');
  const audience = read('OIDC_AUDIENCE');
  const jwksUrl = read('OIDC_JWKS_URL');
  const customerClaim = read('OIDC_CUSTOMER_CLAIM');
  if (issuer === undefined) {
    const orphan = [['OIDC_AUDIENCE', audience], ['OIDC_JWKS_URL', jwksUrl], ['OIDC_CUSTOMER_CLAIM', customerClaim]]
      .find(([, value]) => value !== undefined);
    if (orphan) throw new Error(`${orphan[0]} is set but OIDC_ISSUER is not: set the provider's issuer too`);
    return undefined;
  }
  if (audience === undefined) throw new Error('OIDC_AUDIENCE must be set with OIDC_ISSUER (the `aud` tokens must carry)');

  const scheme = production ? 'https' : 'http or https';
  const issuerUrl = parseUrl(issuer, 'OIDC_ISSUER');
  if (jwksUrl === undefined && !fetchable(issuerUrl, production)) {
    throw new Error(`OIDC_ISSUER must be an ${scheme} URL to discover the JWKS from (or set OIDC_JWKS_URL)`);
  }
  if (jwksUrl !== undefined && !fetchable(parseUrl(jwksUrl, 'OIDC_JWKS_URL'), production)) {
    throw new Error(`OIDC_JWKS_URL must be an ${scheme} URL${production ? ' when NODE_ENV=production' : ''}`);
  }
  if (customerClaim !== undefined && (customerClaim.length > 256 || NOT_A_CUSTOMER_CLAIM.has(customerClaim))) {
    throw new Error(`OIDC_CUSTOMER_CLAIM must name a claim that identifies the customer (such as sub), got "${customerClaim.slice(0, 64)}"`);
  }
  return {
    issuer,
    audience,
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    customerClaim: customerClaim ?? 'sub',
    httpsOnly: production,
    minRefetchMs: OIDC_MIN_REFETCH_MS,
    maxKeyAgeMs: OIDC_MAX_KEY_AGE_MS,
    clockToleranceSeconds: OIDC_CLOCK_TOLERANCE_SECONDS,
  };
}

/** Whether the gateway may fetch `url`: https, or http outside production. */
export function fetchable(url: URL, httpsOnly: boolean): boolean {
  return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
}

function parseUrl(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new Error(`${name} is not a URL`);
  }
}
