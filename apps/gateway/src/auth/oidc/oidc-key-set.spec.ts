import { Logger } from '@nestjs/common';
import { makeProviderKey, OidcTestProvider } from '../../testing/oidc-test-provider';
import { testLogs } from '../../testing/test-gateway';
import { OidcKeySet, OidcKeysUnavailable } from './oidc-key-set';

/** The provider's key cache against a real local provider, with a clock the test moves. */
describe('OidcKeySet', () => {
  const provider = new OidcTestProvider();
  const k1 = makeProviderKey('k1', 'RS256');
  const k2 = makeProviderKey('k2', 'ES256');
  let clock = 0;
  const MIN_REFETCH_MS = 30_000;
  const MAX_KEY_AGE_MS = 600_000;

  beforeAll(async () => {
    Logger.overrideLogger(testLogs);
    await provider.start();
  });
  afterAll(() => provider.stop());
  beforeEach(() => {
    clock = 1_000_000;
    provider.published = [k1];
    provider.status = 200;
    provider.jwksBody = undefined;
    provider.discoveryBody = undefined;
    provider.requests.discovery = 0;
    provider.requests.jwks = 0;
  });

  const keySet = (options: { jwksUrl?: string; httpsOnly?: boolean } = {}) =>
    new OidcKeySet(
      { issuer: provider.issuer, httpsOnly: false, minRefetchMs: MIN_REFETCH_MS, maxKeyAgeMs: MAX_KEY_AGE_MS, ...options },
      () => clock,
    );

  it('discovers the JWKS URL once, loads the keys on first use, then answers from the cache', async () => {
    const keys = keySet();
    expect(await keys.find('k1')).toMatchObject({ kid: 'k1', algorithms: ['RS256'] });
    clock += MIN_REFETCH_MS * 2;
    expect(await keys.find('k1')).toMatchObject({ kid: 'k1' });
    expect(provider.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('uses the configured JWKS URL without discovery', async () => {
    expect(await keySet({ jwksUrl: provider.jwksUrl }).find('k1')).toBeDefined();
    expect(provider.requests).toEqual({ discovery: 0, jwks: 1 });
  });

  it('refetches for an unknown key id at most once per minRefetchMs, so a rotated-in key is found', async () => {
    const keys = keySet();
    await keys.find('k1');
    clock += MIN_REFETCH_MS;
    expect(await keys.find('k2')).toBeUndefined(); // refetched: still not published
    expect(provider.requests.jwks).toBe(2);

    provider.published = [k1, k2];
    clock += MIN_REFETCH_MS - 1;
    expect(await keys.find('k2')).toBeUndefined(); // too soon: no fetch
    expect(provider.requests.jwks).toBe(2);

    clock += 1;
    expect(await keys.find('k2')).toMatchObject({ kid: 'k2', algorithms: ['ES256'] });
    expect(await keys.find('k1')).toBeDefined();
    expect(provider.requests.jwks).toBe(3);
  });

  it('shares one fetch among concurrent lookups', async () => {
    const keys = keySet();
    const found = await Promise.all(['k1', 'x', 'y', 'z', 'k1'].map((kid) => keys.find(kid)));
    expect(found.map((key) => key?.kid)).toEqual(['k1', undefined, undefined, undefined, 'k1']);
    expect(provider.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('fetches old keys again in the background, using them meanwhile', async () => {
    const keys = keySet();
    await keys.find('k1');
    provider.published = [k2];
    clock += MAX_KEY_AGE_MS + 1;
    expect(await keys.find('k1')).toBeDefined(); // the old set still answers this once
    await keys.refetch(); // the background fetch in flight
    expect(provider.requests.jwks).toBe(2);
    expect(await keys.find('k2')).toBeDefined();
  });

  it('keeps the last good keys when a fetch fails, and logs why', async () => {
    const keys = keySet();
    await keys.find('k1');
    provider.status = 500;
    clock += MIN_REFETCH_MS;
    expect(await keys.find('other')).toBeUndefined();
    expect(await keys.find('k1')).toBeDefined();
    expect(testLogs.lines.join('\n')).toContain(`${provider.jwksUrl}: HTTP 500 (keeping the 1 known)`);
  });

  it.each<[string, () => void, RegExp]>([
    ['the provider fails', () => (provider.status = 503), /HTTP 503/],
    ['the discovery document names another issuer', () => (provider.discoveryBody = { issuer: 'https://evil', jwks_uri: provider.jwksUrl }),
      /the document is for another issuer/],
    ['the discovery document has no jwks_uri', () => (provider.discoveryBody = { issuer: provider.issuer }), /no jwks_uri/],
    ['the JWKS holds no usable key', () => (provider.jwksBody = '{"keys":[]}'), /holds no RS256\/PS256\/ES256 signing key/],
  ])('is unavailable (not "unknown key") while nothing could be loaded: %s', async (_, breakIt, logged) => {
    breakIt();
    const keys = keySet();
    await expect(keys.find('k1')).rejects.toThrow(OidcKeysUnavailable);
    expect(testLogs.lines.at(-1)).toMatch(logged);
    // The next attempt waits for minRefetchMs, then loads once the provider is right again.
    provider.status = 200;
    provider.jwksBody = undefined;
    provider.discoveryBody = undefined;
    await expect(keys.find('k1')).rejects.toThrow(OidcKeysUnavailable);
    clock += MIN_REFETCH_MS;
    expect(await keys.find('k1')).toBeDefined();
  });

  it('fetches nothing over http when https only (discovery or JWKS)', async () => {
    await expect(keySet({ jwksUrl: provider.jwksUrl, httpsOnly: true }).find('k1')).rejects.toThrow(OidcKeysUnavailable);
    expect(testLogs.lines.at(-1)).toContain('only https URLs are fetched in production');
    await expect(keySet({ httpsOnly: true }).find('k1')).rejects.toThrow(OidcKeysUnavailable);
    expect(provider.requests).toEqual({ discovery: 0, jwks: 0 });
  });
});
