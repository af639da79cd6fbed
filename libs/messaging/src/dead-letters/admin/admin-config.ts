/**
 * The documented development admin token: used outside production when ADMIN_TOKEN is not set. Anyone can read
 * it here, so production refuses it.
 */
export const DEV_ADMIN_TOKEN = 'switchboard-dev-admin-token';
/** Shortest ADMIN_TOKEN production accepts (e.g. `openssl rand -hex 32` gives 64). */
export const MIN_PRODUCTION_ADMIN_TOKEN_LENGTH = 32;

export const ADMIN_CONFIG = Symbol('switchboard:admin-config');

export interface AdminConfig {
  /** The bearer token of the admin endpoints. */
  token: string;
  /** True when it is DEV_ADMIN_TOKEN because ADMIN_TOKEN is not set. */
  devDefault: boolean;
}

export interface AdminOptions {
  /** Overrides ADMIN_TOKEN (tests). */
  adminToken?: string;
}

const TOKEN = /^[\x21-\x7e]+$/;

/**
 * `ADMIN_TOKEN`: the bearer token of a service's admin endpoints. Required in production (NODE_ENV=production),
 * with at least 32 characters and not the development default; otherwise DEV_ADMIN_TOKEN when unset. A bad value
 * stops the start with a message naming it.
 */
export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env, options: AdminOptions = {}): AdminConfig {
  const production = env.NODE_ENV === 'production';
  const configured = options.adminToken ?? env.ADMIN_TOKEN;
  if (configured === undefined || configured === '') {
    if (production) throw new Error('ADMIN_TOKEN is required in production: it protects the /admin endpoints (dead letters)');
    return { token: DEV_ADMIN_TOKEN, devDefault: true };
  }
  if (!TOKEN.test(configured)) throw new Error('ADMIN_TOKEN must be printable ASCII without spaces');
  if (production && configured === DEV_ADMIN_TOKEN) {
    throw new Error('ADMIN_TOKEN is the documented development token: production refuses it');
  }
  if (production && configured.length < MIN_PRODUCTION_ADMIN_TOKEN_LENGTH) {
    throw new Error(`ADMIN_TOKEN must have at least ${MIN_PRODUCTION_ADMIN_TOKEN_LENGTH} characters in production`);
  }
  return { token: configured, devDefault: false };
}
