import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * The API clients allowed to ask for tokens. Secrets are compared in constant time: both sides are hashed to the
 * same length first, and an unknown client id is compared against a random digest, so neither a secret's length
 * nor whether the id exists shows in the response time.
 */
@Injectable()
export class ClientRegistry {
  private readonly digests: ReadonlyMap<string, Buffer>;
  private readonly unknownClient = randomBytes(32);

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.digests = new Map([...config.clients].map(([id, secret]) => [id, digest(secret)]));
  }

  /** Whether the client is (still) configured: a token of a client removed from AUTH_CLIENTS stops working. */
  has(clientId: string): boolean {
    return this.digests.has(clientId);
  }

  /** True when `clientId` exists and `secret` is its secret. */
  authenticate(clientId: string, secret: string): boolean {
    const expected = this.digests.get(clientId);
    const matches = timingSafeEqual(digest(secret), expected ?? this.unknownClient);
    return matches && expected !== undefined;
  }
}
