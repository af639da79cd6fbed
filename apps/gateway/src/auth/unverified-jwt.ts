/** Longest bearer token read at all (Keycloak's tokens with many roles stay well under it). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The header and claims of a JWT as sent: NOT verified, only for choosing how to verify it. */
export interface UnverifiedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Decodes a compact JWS without checking anything; undefined when it is not one (or too long). */
export function decodeUnverified(token: string): UnverifiedJwt | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) return undefined;
  const [header, claims] = token.split('.', 2).map(decodeSegment);
  return header && claims ? { header, claims } : undefined;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
