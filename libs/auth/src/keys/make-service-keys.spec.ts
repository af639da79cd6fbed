import { Logger } from '@nestjs/common';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { loadServiceAuthConfig } from '../config/service-auth-config';
import { ServiceTokenIssuer } from '../token/service-token-issuer';
import { ServiceTokenVerifier } from '../token/service-token-verifier';
import { parseJwks } from './jwks';
import { fileJwksSource } from './jwks-source';
import { readSigningKey } from './signing-key';
import { TrustedKeys } from './trusted-keys';

/** Key-set loading logs are asserted in trusted-keys.spec; here they would only be noise. */
Logger.overrideLogger(false);

const script = join(__dirname, '..', '..', '..', '..', 'scripts', 'make-service-keys.js');
const run = (...args: string[]) => execFileSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('scripts/make-service-keys.js', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'make-keys-')), 'keys');

  it('writes a private key per service and one JWKS that production settings accept', async () => {
    const output = run(dir, 'orders', 'payments', '--label', 'v1');
    expect(output).toContain(`SERVICE_KEY_ID={service}:v1`);
    expect(statSync(join(dir, 'orders.key.pem')).mode & 0o777).toBe(0o600);
    const env = { NODE_ENV: 'production', SERVICE_KEY_FILE: join(dir, '{service}.key.pem'), SERVICE_KEY_ID: '{service}:v1', SERVICE_JWKS_FILE: join(dir, 'jwks.json') };
    const orders = loadServiceAuthConfig('orders', env);
    const payments = loadServiceAuthConfig('payments', env);
    const keys = new TrustedKeys(fileJwksSource(env.SERVICE_JWKS_FILE), { refreshMs: 60_000, unknownKidRefreshMs: 0 });
    await keys.onModuleInit();
    try {
      const token = new ServiceTokenIssuer(new JwtService(), readSigningKey(orders), orders).tokenFor('payments');
      const verifier = new ServiceTokenVerifier(new JwtService(), keys, payments);
      await expect(verifier.verify(token, { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });
    } finally {
      keys.onApplicationShutdown();
    }
  });

  it('refuses to overwrite keys, and keeps old public keys for a rotation', () => {
    const again = spawnSync(process.execPath, [script, dir, 'orders'], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists/);
    const next = join(dir, '..', 'next');
    run(next, 'orders', 'payments', '--label', 'v2', '--keep', join(dir, 'jwks.json'));
    const kids = [...parseJwks(readFileSync(join(next, 'jwks.json'), 'utf8'), 'test').keys()];
    expect(kids.sort()).toEqual(['orders:v1', 'orders:v2', 'payments:v1', 'payments:v2']);
  });
});
