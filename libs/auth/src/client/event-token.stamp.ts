import { Metadata, MetadataKey } from '@app/transport';
import { EVENTS_AUDIENCE } from '../token/service-token-claims';
import type { ServiceTokenIssuer } from '../token/service-token-issuer';

/** Adds to an outgoing event's metadata; applied when the event is handed to the bus. */
export type EventMetadataStamp = (metadata: Readonly<Metadata>) => Metadata;

/**
 * The publishing side of event auth: `authorization: Bearer <token>` with `aud` = `events`, from the issuer's
 * cache. Apply it when the bus publishes (also for outbox rows relayed later), never when a row is written:
 * no token is stored at rest, and a relayed event carries a fresh one.
 */
export function eventTokenStamp(issuer: ServiceTokenIssuer): EventMetadataStamp {
  return (metadata) => ({ ...metadata, [MetadataKey.authorization]: issuer.authorizationFor(EVENTS_AUDIENCE) });
}
