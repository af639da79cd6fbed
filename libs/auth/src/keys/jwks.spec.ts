import { generateKeyPairSync } from 'node:crypto';
import { jwksOf, makeTestKey } from '../testing/test-keys';
import { parseJwks } from './jwks';

describe('parseJwks', () => {
  const orders = makeTestKey('orders');
  const payments = makeTestKey('payments');

  it('maps each RS256 key id to its public key and owner', () => {
    const keys = parseJwks(jwksOf(orders, payments), 'test');
    expect([...keys.keys()]).toEqual(['orders:k1', 'payments:k1']);
    expect(keys.get('orders:k1')).toEqual({ kid: 'orders:k1', algorithm: 'RS256', owner: 'orders', material: orders.publicKeyPem });
  });

  it('ignores keys of other types, uses and algorithms (RFC 7517 §5)', () => {
    const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'orders:ec' };
    const enc = { ...payments.jwk, kid: 'payments:enc', use: 'enc' };
    const keys = parseJwks(JSON.stringify({ keys: [ec, enc, orders.jwk] }), 'test');
    expect([...keys.keys()]).toEqual(['orders:k1']);
  });

  it('refuses private key material, bad key ids, duplicates, short keys and non-JWKS documents', () => {
    const privateJwk = { ...orders.privateKey.export({ format: 'jwk' }), kid: 'orders:k1' };
    expect(() => parseJwks(JSON.stringify({ keys: [privateJwk] }), 'test')).toThrow(/private key material/);
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...orders.jwk, kid: 'k1' }] }), 'test')).toThrow(/<service>:<label>/);
    expect(() => parseJwks(JSON.stringify({ keys: [orders.jwk, orders.jwk] }), 'test')).toThrow(/twice/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...small, kid: 'orders:small' }] }), 'test')).toThrow(/under 2048 bits/);
    expect(() => parseJwks(JSON.stringify({ keys: [{ kty: 'RSA', kid: 'orders:x', n: 'AQAB' }] }), 'test')).toThrow(/not a valid RSA/);
    expect(() => parseJwks('not json', 'test')).toThrow(/not JSON/);
    expect(() => parseJwks('{"keys":[]}', 'test')).toThrow(/no RS256 signing key/);
    expect(() => parseJwks('{}', 'test')).toThrow(/no "keys" array/);
  });
});
