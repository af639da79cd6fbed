import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createPublicKey } from 'node:crypto';
import type { ServiceAuthConfig } from '../config/service-auth-config';
import type { SigningKey } from '../keys/signing-key';
import type { VerificationKeys } from '../keys/verification-keys';
import { SERVICE_AUTH_CONFIG, SIGNING_KEY, VERIFICATION_KEYS } from './tokens';

/**
 * Says at start how this service signs and verifies, and checks its own key against the trusted set: a
 * published key that differs from SERVICE_KEY_FILE stops the start; a key not published yet is a warning (others
 * refuse this service's tokens until the JWKS has it).
 */
@Injectable()
export class ServiceAuthStartup implements OnApplicationBootstrap {
  private readonly log = new Logger('service-auth');

  constructor(
    @Inject(SERVICE_AUTH_CONFIG) private readonly config: ServiceAuthConfig,
    @Inject(SIGNING_KEY) private readonly signing: SigningKey,
    @Inject(VERIFICATION_KEYS) private readonly keys: VerificationKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { service, keys } = this.config;
    if (keys.mode === 'dev-hs256') {
      const which = this.config.defaultsInUse.includes('SERVICE_AUTH_SECRET') ? 'the documented development secret' : 'SERVICE_AUTH_SECRET';
      this.log.warn(`${service}: service tokens use HS256 with ${which}, shared by every service; NODE_ENV=production refuses it`);
      return;
    }
    this.log.log(`${service}: service tokens RS256, key ${this.signing.kid}, valid ${this.config.tokenTtlSeconds} s`);
    if (!this.keys.ready) return;
    const published = await this.keys.find(this.signing.kid);
    if (!published) {
      this.log.warn(`${service}: key ${this.signing.kid} is not in the trusted JWKS yet: other services will refuse its tokens`);
      return;
    }
    const own = createPublicKey(this.signing.key).export({ type: 'spki', format: 'pem' }).toString();
    if (published.material !== own) {
      throw new Error(`service auth: the JWKS publishes another public key for ${this.signing.kid} than SERVICE_KEY_FILE holds`);
    }
  }
}
