import { envInt } from '@app/transport';
import { KEY_ID, keyOwner } from '../keys/key-id';
import { knownServices, ScopePolicy, SERVICE_SCOPES, withGrants } from '../policy/service-scopes';
import { DEV_SERVICE_AUTH_SECRET, MIN_SERVICE_AUTH_SECRET_LENGTH } from './dev-secret';

/** Asymmetric keys: this service signs RS256 with its private key; it trusts the public keys of a JWKS. */
export interface Rs256Keys {
  readonly mode: 'rs256';
  readonly keyFile: string;
  readonly keyId: string;
  readonly jwks: { readonly file: string } | { readonly url: string };
}

/** Development only: every service signs and verifies HS256 with one shared secret. */
export interface DevHs256Keys {
  readonly mode: 'dev-hs256';
  readonly secret: string;
}

/** Service identity settings, read once at start. */
export interface ServiceAuthConfig {
  /** This service: the `iss` of its tokens and the `aud` it accepts. */
  readonly service: string;
  readonly production: boolean;
  readonly keys: Rs256Keys | DevHs256Keys;
  readonly tokenTtlSeconds: number;
  /** How often the JWKS is read again. */
  readonly jwksRefreshMs: number;
  /** Least time between two reads of the JWKS caused by tokens with an unknown key id. */
  readonly unknownKidRefreshMs: number;
  /** Leeway on `exp` and `nbf` for clocks that differ between hosts. */
  readonly clockToleranceSeconds: number;
  /** SERVICE_SCOPES plus the extra grants. */
  readonly policy: ScopePolicy;
  readonly knownServices: ReadonlySet<string>;
  /** Development defaults in use, for a start-up warning (always empty in production). */
  readonly defaultsInUse: readonly string[];
}

/** Overrides of the environment (tests, the one-process system app). They pass the same checks. */
export interface ServiceAuthOptions {
  production?: boolean;
  keyFile?: string;
  keyId?: string;
  jwksFile?: string;
  jwksUrl?: string;
  secret?: string;
  tokenTtlSeconds?: number;
  jwksRefreshMs?: number;
  unknownKidRefreshMs?: number;
  clockToleranceSeconds?: number;
  /** Grants on top of SERVICE_SCOPES, e.g. for a test caller. */
  extraGrants?: ScopePolicy;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 60;
const SERVICE = /^[a-z][a-z0-9-]{0,62}$/;
const KEY_VARS = ['SERVICE_KEY_FILE', 'SERVICE_KEY_ID', 'SERVICE_JWKS_FILE or SERVICE_JWKS_URL'];

/**
 * Reads SERVICE_KEY_FILE, SERVICE_KEY_ID, SERVICE_JWKS_FILE | SERVICE_JWKS_URL, SERVICE_AUTH_SECRET,
 * SERVICE_TOKEN_TTL_SECONDS and SERVICE_JWKS_REFRESH_SECONDS. `{service}` in the key file and key id is replaced
 * by the service name (several services in one process). Throws a message naming the variable, never a secret:
 * for a half-configured key set, for missing keys or any symmetric secret when production.
 */
export function loadServiceAuthConfig(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ServiceAuthOptions = {},
): ServiceAuthConfig {
  if (!SERVICE.test(service)) throw new Error(`service auth: "${service}" is not a service name (a-z, 0-9, -)`);
  const production = options.production ?? env.NODE_ENV === 'production';
  const pick = (option: string | undefined, name: string) => {
    const value = option ?? env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim().replaceAll('{service}', service);
  };
  const keyFile = pick(options.keyFile, 'SERVICE_KEY_FILE');
  const keyId = pick(options.keyId, 'SERVICE_KEY_ID');
  const jwksFile = pick(options.jwksFile, 'SERVICE_JWKS_FILE');
  const jwksUrl = pick(options.jwksUrl, 'SERVICE_JWKS_URL');
  const secret = options.secret ?? (env.SERVICE_AUTH_SECRET || undefined);
  const defaultsInUse: string[] = [];

  let keys: Rs256Keys | DevHs256Keys;
  if (keyFile || keyId || jwksFile || jwksUrl) {
    if (secret !== undefined) {
      throw new Error('service auth: set either the key files (SERVICE_KEY_FILE ...) or SERVICE_AUTH_SECRET, not both');
    }
    keys = rs256Keys(service, production, keyFile, keyId, jwksFile, jwksUrl);
  } else if (production) {
    if (secret === DEV_SERVICE_AUTH_SECRET) {
      throw new Error('SERVICE_AUTH_SECRET is the documented development default; NODE_ENV=production needs service keys');
    }
    throw new Error(
      `service auth: NODE_ENV=production needs asymmetric service keys: set ${KEY_VARS.join(', ')} ` +
        '(make them with `node scripts/make-service-keys.js <dir> <services...>`); ' +
        (secret === undefined ? 'the shared development secret is refused' : 'SERVICE_AUTH_SECRET (symmetric) is for development only'),
    );
  } else {
    if (secret !== undefined && secret.length < MIN_SERVICE_AUTH_SECRET_LENGTH) {
      throw new Error(`SERVICE_AUTH_SECRET must be at least ${MIN_SERVICE_AUTH_SECRET_LENGTH} characters`);
    }
    if (secret === undefined) defaultsInUse.push('SERVICE_AUTH_SECRET');
    keys = { mode: 'dev-hs256', secret: secret ?? DEV_SERVICE_AUTH_SECRET };
  }

  const policy = withGrants(SERVICE_SCOPES, options.extraGrants);
  return {
    service,
    production,
    keys,
    tokenTtlSeconds: options.tokenTtlSeconds ?? envInt(env, 'SERVICE_TOKEN_TTL_SECONDS', DEFAULT_TOKEN_TTL_SECONDS, 10, 3600),
    jwksRefreshMs: options.jwksRefreshMs ?? envInt(env, 'SERVICE_JWKS_REFRESH_SECONDS', 300, 10, 86_400) * 1000,
    unknownKidRefreshMs: options.unknownKidRefreshMs ?? 30_000,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
    policy,
    knownServices: knownServices(policy),
    defaultsInUse,
  };
}

function rs256Keys(
  service: string,
  production: boolean,
  keyFile: string | undefined,
  keyId: string | undefined,
  jwksFile: string | undefined,
  jwksUrl: string | undefined,
): Rs256Keys {
  const missing = [!keyFile && KEY_VARS[0], !keyId && KEY_VARS[1], !jwksFile && !jwksUrl && KEY_VARS[2]].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`service auth: ${KEY_VARS.join(', ')} go together; missing ${missing.join(', ')}`);
  }
  if (jwksFile && jwksUrl) throw new Error('service auth: set SERVICE_JWKS_FILE or SERVICE_JWKS_URL, not both');
  if (!KEY_ID.test(keyId!) || keyOwner(keyId!) !== service) {
    throw new Error(`SERVICE_KEY_ID must be "${service}:<label>" (label: letters, digits, . _ -), got "${keyId}"`);
  }
  if (jwksUrl) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new Error('SERVICE_JWKS_URL is not a URL');
    }
    if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) {
      throw new Error(`SERVICE_JWKS_URL must be https${production ? ' when NODE_ENV=production' : ' or http'}`);
    }
    return { mode: 'rs256', keyFile: keyFile!, keyId: keyId!, jwks: { url: url.href } };
  }
  return { mode: 'rs256', keyFile: keyFile!, keyId: keyId!, jwks: { file: jwksFile! } };
}
