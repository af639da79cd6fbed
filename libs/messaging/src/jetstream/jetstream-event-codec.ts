import type { JsMsg } from 'nats';
import { headerMetadata, metadataHeaders } from '@app/transport';
import type { DeliveredEvent } from '../bus/event-bus';
import { JetStreamNames } from './jetstream-names';

/** JetStream's de-duplication header; the event id travels in it. */
const MSG_ID = 'Nats-Msg-Id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * How an event sits in a JetStream message: the type in the subject, the id in `Nats-Msg-Id`, each metadata entry
 * as a header of its own (metadata keys are lower-case and never start with `nats-`), the body as UTF-8 JSON.
 */
export const JetStreamEventCodec = {
  headers: metadataHeaders,

  body: (body: string): Uint8Array => encoder.encode(body),

  /** The delivered event, or undefined for a message that is not one of ours (no type or id). */
  decode(namespace: string, msg: JsMsg): DeliveredEvent | undefined {
    const type = JetStreamNames.typeOf(namespace, msg.subject);
    const id = msg.headers?.get(MSG_ID);
    if (!type || !id) return undefined;
    // headerMetadata keeps only lower-case keys; of those, `nats-` ones are NATS's own, not event metadata.
    const entries = Object.entries(headerMetadata(msg.headers)).filter(([key]) => !key.startsWith('nats-'));
    return {
      id,
      type,
      body: decoder.decode(msg.data),
      metadata: Object.fromEntries(entries),
      deliveryCount: msg.info.redeliveryCount,
      publishedAt: Math.floor(msg.info.timestampNanos / 1e6),
    };
  },
};
