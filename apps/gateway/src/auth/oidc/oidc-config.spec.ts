import { loadGatewayConfig } from '../../config/gateway-config';
import { loadOidcConfig, OIDC_CLOCK_TOLERANCE_SECONDS, OIDC_MIN_REFETCH_MS } from './oidc-config';

describe('loadOidcConfig (OIDC_*)', () => {
  const ISSUER = 'https://sso.example.com/realms/shop';

  it('is off when no OIDC_* variable is set (or all are blank)', () => {
    expect(loadOidcConfig({}, false)).toBeUndefined();
    expect(loadOidcConfig({ OIDC_ISSUER: ' ', OIDC_AUDIENCE: '' }, true)).toBeUndefined();
  });

  it('reads the issuer and audience; the JWKS URL is discovered and the customer is sub by default', () => {
    expect(loadOidcConfig({ OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'shop-api' }, true)).toEqual({
      issuer: ISSUER,
      audience: 'shop-api',
      customerClaim: 'sub',
      httpsOnly: true,
      minRefetchMs: OIDC_MIN_REFETCH_MS,
      maxKeyAgeMs: 600_000,
      clockToleranceSeconds: OIDC_CLOCK_TOLERANCE_SECONDS,
    });
    expect(OIDC_MIN_REFETCH_MS).toBe(30_000);
  });

  it('reads OIDC_JWKS_URL and OIDC_CUSTOMER_CLAIM', () => {
    const config = loadOidcConfig(
      { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'shop-api', OIDC_JWKS_URL: `${ISSUER}/certs`, OIDC_CUSTOMER_CLAIM: 'customer_id' },
      true,
    );
    expect(config).toMatchObject({ jwksUrl: `${ISSUER}/certs`, customerClaim: 'customer_id' });
  });

  it('allows http outside production only', () => {
    const http = { OIDC_ISSUER: 'http://127.0.0.1:8080/realms/dev', OIDC_AUDIENCE: 'api' };
    expect(loadOidcConfig(http, false)).toMatchObject({ httpsOnly: false });
    expect(() => loadOidcConfig(http, true)).toThrow('OIDC_ISSUER must be an https URL to discover the JWKS from');
    expect(() => loadOidcConfig({ ...http, OIDC_JWKS_URL: 'http://127.0.0.1:8080/certs' }, true)).toThrow(
      'OIDC_JWKS_URL must be an https URL when NODE_ENV=production',
    );
    // The issuer is only compared, not fetched, when the JWKS URL is given.
    expect(loadOidcConfig({ ...http, OIDC_JWKS_URL: 'https://keys.example.com/certs' }, true)).toMatchObject({ httpsOnly: true });
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['an audience without issuer', { OIDC_AUDIENCE: 'api' }, /OIDC_AUDIENCE is set but OIDC_ISSUER is not/],
    ['a JWKS URL without issuer', { OIDC_JWKS_URL: 'https://x/certs' }, /OIDC_JWKS_URL is set but OIDC_ISSUER is not/],
    ['a customer claim without issuer', { OIDC_CUSTOMER_CLAIM: 'sub' }, /OIDC_CUSTOMER_CLAIM is set but OIDC_ISSUER/],
    ['an issuer without audience', { OIDC_ISSUER: ISSUER }, /OIDC_AUDIENCE must be set with OIDC_ISSUER/],
    ['an issuer that is no URL', { OIDC_ISSUER: 'keycloak', OIDC_AUDIENCE: 'api' }, /OIDC_ISSUER is not a URL/],
    ['a JWKS URL that is no URL', { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'api', OIDC_JWKS_URL: 'certs' }, /OIDC_JWKS_URL is not a URL/],
    ['an ftp JWKS URL', { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'api', OIDC_JWKS_URL: 'ftp://x/certs' }, /OIDC_JWKS_URL must be an http or https URL/],
    ['a customer claim that names no customer', { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'api', OIDC_CUSTOMER_CLAIM: 'aud' }, /OIDC_CUSTOMER_CLAIM/],
  ])('refuses %s', (_, env, message) => {
    expect(() => loadOidcConfig(env, false)).toThrow(message);
  });

  it('is part of the gateway config', () => {
    expect(loadGatewayConfig({}).oidc).toBeUndefined();
    expect(loadGatewayConfig({ OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: 'api' }).oidc).toMatchObject({ issuer: ISSUER, httpsOnly: false });
    expect(() => loadGatewayConfig({ OIDC_ISSUER: ISSUER })).toThrow(/OIDC_AUDIENCE/);
  });
});
