import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestKey, writeTestKeys } from '../testing/test-keys';
import { readSigningKey } from './signing-key';

describe('readSigningKey', () => {
  const orders = makeTestKey('orders');
  const files = writeTestKeys([orders]);
  const rs256 = (keyFile: string) => ({ keys: { mode: 'rs256' as const, keyFile, keyId: 'orders:k1', jwks: { file: files.jwksFile } } });

  it('reads an RSA private key and keeps its key id', () => {
    const key = readSigningKey(rs256(files.keyFile('orders')));
    expect(key.kid).toBe('orders:k1');
    expect(key.algorithm).toBe('RS256');
    expect(key.key.asymmetricKeyType).toBe('rsa');
  });

  it('names the variable and the file, never the content, when the key is unusable', () => {
    expect(() => readSigningKey(rs256(join(files.dir, 'missing.pem')))).toThrow(/SERVICE_KEY_FILE: cannot read .*missing\.pem \(ENOENT\)/);
    const garbage = join(files.dir, 'garbage.pem');
    writeFileSync(garbage, 'CANARY-not-a-key');
    expect(() => readSigningKey(rs256(garbage))).toThrow(/is not an unencrypted PEM private key/);
    expect(() => readSigningKey(rs256(garbage))).not.toThrow(/CANARY/);
    const ec = join(files.dir, 'ec.pem');
    writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => readSigningKey(rs256(ec))).toThrow(/must be an RSA key of at least 2048 bits/);
  });

  it('uses the shared secret in development mode', () => {
    const key = readSigningKey({ keys: { mode: 'dev-hs256', secret: 'a-development-secret-of-32-chars!' } });
    expect(key).toMatchObject({ kid: 'dev', algorithm: 'HS256' });
    expect(key.key.type).toBe('secret');
  });
});
