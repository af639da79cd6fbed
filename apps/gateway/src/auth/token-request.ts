import { OAuthError } from './oauth-error';

/** A token request with its parameters checked: who the client says it is, and the secret it proves it with. */
export interface TokenRequest {
  grantType: 'client_credentials';
  clientId: string;
  clientSecret: string;
  /** How the client authenticated: `client_secret_basic` (Authorization header) or `client_secret_post` (body). */
  method: 'basic' | 'post';
}

const FORM_OR_JSON = 'the request body must be application/x-www-form-urlencoded or a JSON object';

/**
 * Reads a client credentials token request (RFC 6749 §4.4.2) from the parsed body (form or JSON) and the
 * Authorization header; what is missing, repeated or of the wrong type is `invalid_request`, another grant is
 * `unsupported_grant_type`. Unknown parameters are ignored (RFC 6749 §3.2).
 */
export function readTokenRequest(body: unknown, authorization: string | undefined): TokenRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OAuthError('invalid_request', FORM_OR_JSON);
  const params = body as Record<string, unknown>;

  const grantType = param(params, 'grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') {
    throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials');
  }

  const bodyId = param(params, 'client_id');
  const bodySecret = param(params, 'client_secret');
  const basic = basicCredentials(authorization);
  if (basic) {
    if (bodySecret !== undefined || (bodyId !== undefined && bodyId !== basic.clientId)) {
      throw new OAuthError('invalid_request', 'use one client authentication method: the Authorization header or the body');
    }
    return { grantType, ...basic, method: 'basic' };
  }
  if (bodyId === undefined) throw new OAuthError('invalid_request', 'client_id is required');
  if (bodySecret === undefined) throw new OAuthError('invalid_request', 'client_secret is required');
  return { grantType, clientId: bodyId, clientSecret: bodySecret, method: 'post' };
}

/** A parameter sent once as a string; an empty one counts as absent (RFC 6749 §3.1). */
function param(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be given once, as a string`);
  return value;
}

/**
 * `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1). No header: undefined.
 * Another scheme is an unsupported client authentication method (`invalid_client`).
 */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) {
    if (/^Basic(\s|$)/i.test(header)) throw new OAuthError('invalid_request', 'malformed Basic credentials');
    throw new OAuthError('invalid_client', 'unsupported client authentication method: use Basic or the request body');
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_request', 'malformed Basic credentials');
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    if (clientId === '' || clientSecret === '') throw new OAuthError('invalid_request', 'malformed Basic credentials');
    return { clientId, clientSecret };
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw new OAuthError('invalid_request', 'malformed Basic credentials');
  }
}

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
