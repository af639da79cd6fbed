/**
 * The documented development secret of service tokens (HS256, shared by every service): used outside production
 * when no keys and no SERVICE_AUTH_SECRET are configured. Anyone can read it here, so production refuses it.
 */
export const DEV_SERVICE_AUTH_SECRET = 'switchboard-dev-service-auth-secret-not-for-production';

/** HS256 wants a key of at least 256 bits (RFC 7518 §3.2). */
export const MIN_SERVICE_AUTH_SECRET_LENGTH = 32;
