import { describeUrl, fetchJson } from './fetch-json';
import { fetchable } from './oidc-config';

/** Where OpenID Connect Discovery 1.0 §4 publishes the provider's metadata. */
export const discoveryUrlOf = (issuer: string) => `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

/** The provider's `jwks_uri`, read from its discovery document (readJwksUri). */
export async function discoverJwksUrl(issuer: string, httpsOnly: boolean): Promise<string> {
  const url = discoveryUrlOf(issuer);
  return readJwksUri(await fetchJson(url, httpsOnly), issuer, httpsOnly, describeUrl(url));
}

/**
 * The `jwks_uri` of a discovery document, which must name the same `issuer` (Discovery §4.3: a document served
 * for another issuer is not trusted) and a URL the gateway may fetch. Errors start with `where`.
 */
export function readJwksUri(document: unknown, issuer: string, httpsOnly: boolean, where: string): string {
  const { issuer: named, jwks_uri: jwksUri } =
    typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
  if (named !== issuer) throw new Error(`${where}: the document is for another issuer`);
  if (typeof jwksUri !== 'string') throw new Error(`${where}: no jwks_uri`);
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch {
    throw new Error(`${where}: jwks_uri is not a URL`);
  }
  if (!fetchable(parsed, httpsOnly)) throw new Error(`${where}: jwks_uri must be https${httpsOnly ? ' in production' : ' or http'}`);
  return parsed.href;
}
