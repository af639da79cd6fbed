import { createHmac, sign as rsaSign } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { loadServiceAuthConfig, ServiceAuthConfig, ServiceAuthOptions } from '../config/service-auth-config';
import { readSigningKey } from '../keys/signing-key';
import { TrustedKeys } from '../keys/trusted-keys';
import { fileJwksSource } from '../keys/jwks-source';
import { ServiceTokenIssuer } from '../token/service-token-issuer';
import { ServiceTokenVerifier } from '../token/service-token-verifier';
import { makeTestKey, TestServiceKey, writeTestKeys } from './test-keys';

/**
 * Real keys and files for the auth specs: an RS256 key per service, their JWKS in a temporary folder, and the
 * config, issuer and verifier of any of the services built on them.
 */
export class AuthFixture {
  readonly keys: Record<string, TestServiceKey>;
  readonly files: ReturnType<typeof writeTestKeys>;
  private readonly started: TrustedKeys[] = [];

  constructor(services: readonly string[] = ['orders', 'payments', 'inventory', 'notifications', 'gateway']) {
    this.keys = Object.fromEntries(services.map((service) => [service, makeTestKey(service)]));
    this.files = writeTestKeys(Object.values(this.keys));
  }

  /** The ServiceAuthOptions of `service` on these files (RS256). */
  options(service: string, extra: ServiceAuthOptions = {}): ServiceAuthOptions {
    return { keyFile: this.files.keyFile(service), keyId: `${service}:k1`, jwksFile: this.files.jwksFile, ...extra };
  }

  config(service: string, extra: ServiceAuthOptions = {}): ServiceAuthConfig {
    return loadServiceAuthConfig(service, {}, this.options(service, extra));
  }

  issuer(service: string, extra: ServiceAuthOptions = {}, jwt = new JwtService()): ServiceTokenIssuer {
    const config = this.config(service, extra);
    return new ServiceTokenIssuer(jwt, readSigningKey(config), config);
  }

  async verifier(service: string, extra: ServiceAuthOptions = {}, jwt = new JwtService()): Promise<ServiceTokenVerifier> {
    const config = this.config(service, extra);
    const keys = new TrustedKeys(fileJwksSource(this.files.jwksFile), { refreshMs: 60_000, unknownKidRefreshMs: 0 });
    await keys.onModuleInit();
    this.started.push(keys);
    return new ServiceTokenVerifier(jwt, keys, config);
  }

  stop(): void {
    for (const keys of this.started) keys.onApplicationShutdown();
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand (for forged and odd tokens): RS256 with a private key, HS256 with a secret, or unsigned. */
export function handMadeToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: { rsa: TestServiceKey } | { hmac: string | Buffer } | 'unsigned',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (signer === 'unsigned') return `${input}.`;
  const signature =
    'rsa' in signer ? rsaSign('sha256', Buffer.from(input), signer.rsa.privateKey) : createHmac('sha256', signer.hmac).update(input).digest();
  return `${input}.${signature.toString('base64url')}`;
}

/** Claims of a well-formed token from `iss` to `aud`, valid now for 60 s, with overrides. */
export function claims(iss: string, aud: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss, sub: iss, aud, iat: now, nbf: now, exp: now + 60, jti: `jti-${Math.random()}`, ...overrides };
}
