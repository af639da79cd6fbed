import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OidcAlgorithm } from '../auth/oidc/oidc-jwks';

/** A real key pair of the test provider, and its public JWK as published (`kid`, `alg`, `use: sig`). */
export interface ProviderKey {
  readonly kid: string;
  readonly alg: OidcAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

/** Generates a key pair for `alg` (RSA 2048 for RS256 and PS256, EC P-256 for ES256). */
export function makeProviderKey(kid: string, alg: OidcAlgorithm = 'RS256'): ProviderKey {
  const { privateKey, publicKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export const PROVIDER_AUDIENCE = 'switchboard-api';

/**
 * An OpenID Connect provider on a loopback port, laid out like Keycloak: the discovery document at
 * `<issuer>/.well-known/openid-configuration` and the JWKS at `<issuer>/protocol/openid-connect/certs`. It
 * publishes `published` (change it to rotate keys), counts requests, and signs tokens with any key.
 */
export class OidcTestProvider {
  published: ProviderKey[] = [];
  /** Replaces the served JWKS / discovery document when set (broken or hostile answers). */
  jwksBody?: string;
  discoveryBody?: Record<string, unknown>;
  status = 200;
  readonly requests = { discovery: 0, jwks: 0 };
  private server?: Server;
  private origin = '';

  get issuer(): string {
    return `${this.origin}/realms/test`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/protocol/openid-connect/certs`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', this.origin).pathname;
      let body: string | undefined;
      if (path === '/realms/test/.well-known/openid-configuration') {
        this.requests.discovery++;
        body = JSON.stringify(this.discoveryBody ?? { issuer: this.issuer, jwks_uri: this.jwksUrl });
      } else if (path === '/realms/test/protocol/openid-connect/certs') {
        this.requests.jwks++;
        body = this.jwksBody ?? JSON.stringify({ keys: this.published.map((key) => key.jwk) });
      }
      response.writeHead(body === undefined ? 404 : this.status, { 'content-type': 'application/json' });
      response.end(body ?? '{}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * A token signed with `key` (with its `kid` and `alg`): `iss` this provider, `aud` PROVIDER_AUDIENCE, `exp` in
   * five minutes, `iat` now, then `claims` (undefined removes a claim).
   */
  sign(key: ProviderKey, claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(
      Object.entries({ iss: this.issuer, aud: PROVIDER_AUDIENCE, iat: now, exp: now + 300, ...claims }).filter(([, v]) => v !== undefined),
    );
    return new JwtService().sign(payload, { privateKey: key.privateKey, algorithm: key.alg, keyid: key.kid });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A JWT with any header, claims and signature bytes, for the forged cases (`alg: none`, HS256 confusion). */
export function rawJwt(header: object, claims: object, sign: (input: string) => string = () => ''): string {
  const input = [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
  return `${input}.${sign(input)}`;
}
