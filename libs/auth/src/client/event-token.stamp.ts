import type { EventMetadataStamp } from '@app/messaging';
import { MetadataKey } from '@app/transport';
import { EVENTS_AUDIENCE } from '../token/service-token-claims';
import type { ServiceTokenIssuer } from '../token/service-token-issuer';

/**
 * The publishing side of event auth: `authorization: Bearer <token>` with `aud` = `events`, from the issuer's
 * cache. Apply it when the bus publishes (also for outbox rows relayed later), never when a row is written:
 * no token is stored at rest, and a relayed event carries a fresh one.
 */
export function eventTokenStamp(issuer: ServiceTokenIssuer): EventMetadataStamp {
  return (metadata) => ({ ...metadata, [MetadataKey.authorization]: issuer.authorizationFor(EVENTS_AUDIENCE) });
}
