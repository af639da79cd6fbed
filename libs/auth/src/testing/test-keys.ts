import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A service's RS256 key pair for tests, with its public JWK (`kid`, `alg`, `use` set). */
export interface TestServiceKey {
  readonly service: string;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  readonly jwk: Record<string, unknown>;
}

/** Generates a real 2048-bit RSA key pair for `service` with key id `<service>:<label>`. */
export function makeTestKey(service: string, label = 'k1'): TestServiceKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `${service}:${label}`;
  return {
    service,
    kid,
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

export const jwksOf = (...keys: TestServiceKey[]) => JSON.stringify({ keys: keys.map((k) => k.jwk) });

/** A fresh temporary folder with the keys' private PEMs (`<service>.key.pem`) and `jwks.json` of all of them. */
export function writeTestKeys(keys: readonly TestServiceKey[], jwks = jwksOf(...keys)): { dir: string; jwksFile: string; keyFile(service: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'service-keys-'));
  for (const key of keys) writeFileSync(join(dir, `${key.service}.key.pem`), key.privateKeyPem, { mode: 0o600 });
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, jwks);
  return { dir, jwksFile, keyFile: (service) => join(dir, `${service}.key.pem`) };
}
