import { discoveryUrlOf, readJwksUri } from './oidc-discovery';

describe('OpenID Connect discovery', () => {
  const ISSUER = 'https://sso.example.com/realms/shop';
  const read = (document: unknown, httpsOnly = true) => readJwksUri(document, ISSUER, httpsOnly, 'discovery');

  it('finds the document under the issuer (with or without a trailing slash)', () => {
    expect(discoveryUrlOf(ISSUER)).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(discoveryUrlOf(`${ISSUER}/`)).toBe(`${ISSUER}/.well-known/openid-configuration`);
  });

  it('reads jwks_uri from a document of the same issuer', () => {
    expect(read({ issuer: ISSUER, jwks_uri: `${ISSUER}/protocol/openid-connect/certs` })).toBe(`${ISSUER}/protocol/openid-connect/certs`);
    expect(read({ issuer: ISSUER, jwks_uri: 'http://127.0.0.1:8080/certs' }, false)).toBe('http://127.0.0.1:8080/certs');
  });

  it.each<[string, unknown, RegExp]>([
    ['no object', 'text', /another issuer/],
    ['another issuer', { issuer: 'https://evil.example.com', jwks_uri: `${ISSUER}/certs` }, /discovery: the document is for another issuer/],
    ['the issuer with a trailing slash', { issuer: `${ISSUER}/`, jwks_uri: `${ISSUER}/certs` }, /another issuer/],
    ['no jwks_uri', { issuer: ISSUER }, /no jwks_uri/],
    ['a jwks_uri that is no URL', { issuer: ISSUER, jwks_uri: 'certs' }, /jwks_uri is not a URL/],
    ['an http jwks_uri in production', { issuer: ISSUER, jwks_uri: 'http://sso.example.com/certs' }, /jwks_uri must be https in production/],
  ])('refuses %s', (_, document, message) => {
    expect(() => read(document)).toThrow(message);
  });
});
