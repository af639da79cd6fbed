import { generateKeyPairSync } from 'node:crypto';
import { makeProviderKey } from '../../testing/oidc-test-provider';
import { parseOidcJwks } from './oidc-jwks';

describe('parseOidcJwks', () => {
  const rsa = makeProviderKey('rsa', 'RS256');
  const ec = makeProviderKey('ec', 'ES256');
  const parse = (...keys: unknown[]) => parseOidcJwks({ keys }, 'test');
  const { alg: _alg, ...rsaWithoutAlg } = rsa.jwk;
  const { alg: _ecAlg, ...ecWithoutAlg } = ec.jwk;

  it('keeps RSA and EC P-256 signing keys by kid, with the algorithms each may sign', () => {
    const keys = parse(rsa.jwk, ec.jwk, { ...rsaWithoutAlg, kid: 'rsa-any' }, { ...ecWithoutAlg, kid: 'ec-any' });
    expect([...keys.values()].map(({ kid, algorithms }) => [kid, algorithms])).toEqual([
      ['rsa', ['RS256']],
      ['ec', ['ES256']],
      ['rsa-any', ['RS256', 'PS256']],
      ['ec-any', ['ES256']],
    ]);
    expect(keys.get('rsa')!.pem).toBe(rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('ignores what it cannot use: encryption keys, other types, curves and algorithms, no kid, small RSA keys', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const keys = parse(
      rsa.jwk,
      { ...rsa.jwk, kid: 'enc', use: 'enc' },
      { ...rsa.jwk, kid: 'rs512', alg: 'RS512' },
      { ...rsa.jwk, kid: 'hs', alg: 'HS256' },
      { ...small, kid: 'small' },
      { ...p384, kid: 'p384' },
      { ...ed, kid: 'ed' },
      { kty: 'oct', kid: 'oct-without-k' },
      rsaWithoutKid(),
      'not an object',
    );
    expect([...keys.keys()]).toEqual(['rsa']);
  });

  function rsaWithoutKid() {
    const { kid: _kid, ...rest } = rsa.jwk;
    return rest;
  }

  it.each<[string, unknown, RegExp]>([
    ['no keys array', { nope: [] }, /has no "keys" array/],
    ['not an object', 'text', /has no "keys" array/],
    ['too many keys', { keys: Array.from({ length: 101 }, () => ({})) }, /101 keys, over 100/],
    ['no usable key', { keys: [{ ...rsa.jwk, use: 'enc' }] }, /holds no RS256\/PS256\/ES256 signing key/],
    ['a private key', { keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'x', alg: 'RS256' }] }, /"x" holds private key material/],
    ['a symmetric key', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'x' }] }, /private key material/],
    ['a kid used twice', { keys: [rsa.jwk, { ...ec.jwk, kid: 'rsa' }] }, /"rsa" appears twice/],
    ['a broken key', { keys: [{ ...rsa.jwk, e: 42 }] }, /"rsa" is not a valid public key/],
  ])('refuses a JWKS with %s', (_, document, message) => {
    expect(() => parseOidcJwks(document, 'test')).toThrow(message);
  });
});
