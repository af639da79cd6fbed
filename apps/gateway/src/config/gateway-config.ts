import { envInt } from '@app/transport';
import { loadOidcConfig, OidcConfig } from '../auth/oidc/oidc-config';
import { EdgeConfig, loadEdgeConfig } from './edge-config';

/**
 * The gateway's own settings: how it signs access tokens, which API clients exist, and which external OpenID
 * Connect provider's tokens it accepts. Read once at start; a bad value, or a documented development default under
 * `NODE_ENV=production`, stops the gateway with a message that names the variable (and never prints a secret).
 */
export interface GatewayConfig {
  readonly production: boolean;
  /** HS256 key of the access tokens. */
  readonly jwtSecret: string;
  readonly tokenTtlSeconds: number;
  /** API clients (OAuth2 client credentials): client id -> secret. */
  readonly clients: ReadonlyMap<string, string>;
  /** An external OpenID Connect provider whose access tokens are accepted too (OIDC_*); undefined: none. */
  readonly oidc?: OidcConfig;
  /** Idempotency keys of `POST /v1/orders` (IDEMPOTENCY_*). */
  readonly idempotency: IdempotencyConfig;
  /** CORS, rate limits, WebSocket push, the order summary's deadline (EdgeConfig). */
  readonly edge: EdgeConfig;
  /** The development defaults in use, for a start-up warning (always empty in production). */
  readonly defaultsInUse: readonly string[];
}

export interface IdempotencyConfig {
  /** IDEMPOTENCY_STORE; undefined: `redis` with TRANSPORT=redis, else `memory` (decided with the transport config). */
  readonly store?: 'memory' | 'redis';
  /** IDEMPOTENCY_TTL_SECONDS: how long a key and its response are kept. */
  readonly ttlSeconds: number;
}

/** Keys are kept 24 h by default, as Stripe does. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400;
/** At most 30 days. */
export const MAX_IDEMPOTENCY_TTL_SECONDS = 30 * 86_400;

export const GATEWAY_CONFIG = Symbol('switchboard:gateway-config');

/** Documented development defaults: anyone can read them, so production refuses them. */
export const DEV_JWT_SECRET = 'switchboard-dev-jwt-secret-not-for-production';
export const DEMO_CLIENT_ID = 'demo';
export const DEMO_CLIENT_SECRET = 'demo-secret';
const DOCUMENTED_SECRETS: ReadonlySet<string> = new Set([DEV_JWT_SECRET, DEMO_CLIENT_SECRET]);

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** HS256 wants a key of at least 256 bits (RFC 7518 §3.2); production asks for 32 characters or more. */
export const MIN_PRODUCTION_JWT_SECRET_LENGTH = 32;

/** A client id becomes the `sub` of its tokens and the customer id of its orders (contracts' `Id`: 1-128). */
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** The rule of every customer id: an API client's id, or the customer claim of an OpenID Connect token. */
export const isCustomerId = (value: unknown): value is string => typeof value === 'string' && CLIENT_ID.test(value);

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const defaultsInUse: string[] = [];

  let jwtSecret = env.JWT_SECRET ?? '';
  if (jwtSecret === '') {
    if (production) throw new Error('JWT_SECRET must be set when NODE_ENV=production');
    jwtSecret = DEV_JWT_SECRET;
    defaultsInUse.push('JWT_SECRET');
  }
  if (production && DOCUMENTED_SECRETS.has(jwtSecret)) {
    throw new Error('JWT_SECRET is a documented development default; set a secret of your own when NODE_ENV=production');
  }
  if (production && jwtSecret.length < MIN_PRODUCTION_JWT_SECRET_LENGTH) {
    throw new Error(`JWT_SECRET must be at least ${MIN_PRODUCTION_JWT_SECRET_LENGTH} characters when NODE_ENV=production`);
  }

  let rawClients = env.AUTH_CLIENTS ?? '';
  if (rawClients.trim() === '') {
    if (production) throw new Error('AUTH_CLIENTS must be set when NODE_ENV=production (comma-separated id:secret pairs)');
    rawClients = `${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`;
    defaultsInUse.push('AUTH_CLIENTS');
  }
  const clients = parseClients(rawClients);
  if (production) {
    for (const [id, secret] of clients) {
      if (DOCUMENTED_SECRETS.has(secret)) {
        throw new Error(
          `AUTH_CLIENTS: the secret of client "${id}" is a documented development default; not allowed when NODE_ENV=production`,
        );
      }
    }
  }

  const oidc = loadOidcConfig(env, production);
  return {
    production,
    jwtSecret,
    tokenTtlSeconds: tokenTtl(env.TOKEN_TTL_SECONDS),
    clients,
    ...(oidc ? { oidc } : {}),
    idempotency: loadIdempotencyConfig(env),
    edge: loadEdgeConfig(env),
    defaultsInUse,
  };
}

/** `id:secret[,id:secret...]`; the secret is everything after the first `:`. Error messages never echo a secret. */
export function parseClients(raw: string): ReadonlyMap<string, string> {
  const clients = new Map<string, string>();
  raw.split(',').forEach((entry, index) => {
    const where = `AUTH_CLIENTS entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where} is not id:secret (AUTH_CLIENTS is comma-separated id:secret pairs)`);
    const id = entry.slice(0, colon).trim();
    const secret = entry.slice(colon + 1).trim();
    if (!CLIENT_ID.test(id)) {
      throw new Error(`${where}: the client id must be 1-128 letters, digits, . _ ~ or -, got "${id}"`);
    }
    if (secret === '') throw new Error(`${where}: client "${id}" has an empty secret`);
    if (clients.has(id)) throw new Error(`${where}: client "${id}" is configured twice`);
    clients.set(id, secret);
  });
  return clients;
}

export function loadIdempotencyConfig(env: NodeJS.ProcessEnv): IdempotencyConfig {
  const ttlSeconds = envInt(env, 'IDEMPOTENCY_TTL_SECONDS', DEFAULT_IDEMPOTENCY_TTL_SECONDS, 1, MAX_IDEMPOTENCY_TTL_SECONDS);
  const raw = (env.IDEMPOTENCY_STORE ?? '').trim().toLowerCase();
  if (raw === '') return { ttlSeconds };
  if (raw !== 'memory' && raw !== 'redis') {
    throw new Error(`IDEMPOTENCY_STORE must be memory or redis, got "${env.IDEMPOTENCY_STORE}"`);
  }
  return { store: raw, ttlSeconds };
}

function tokenTtl(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TOKEN_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new Error(`TOKEN_TTL_SECONDS must be an integer between 1 and 86400, got "${raw}"`);
  }
  return value;
}
