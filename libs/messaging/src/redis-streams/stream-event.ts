import { sanitizeMetadata, type Metadata } from '@app/transport';
import type { DeliveredEvent } from '../bus/event-bus';
import type { StreamEntry } from './stream-commands';

/** The entry fields of an event: `id`, `md` (metadata JSON) and `body` (the payload's JSON, as published). */
export const encodeMetadata = (metadata: Metadata): string => JSON.stringify(metadata);

function decodeMetadata(json: string | undefined): Metadata {
  if (json === undefined) return {};
  try {
    return sanitizeMetadata(JSON.parse(json));
  } catch {
    return {};
  }
}

/**
 * The event an entry carries. Never throws: an entry with missing or broken fields is delivered as well as it can
 * be (a missing body fails the handler's JSON parse and becomes a dead letter there), not dropped unseen.
 */
export function decodeEvent(
  type: string,
  entry: StreamEntry & { fields: Map<string, string> },
  deliveryCount: number,
): DeliveredEvent {
  const { fields } = entry;
  return {
    id: fields.get('id') ?? entry.entryId,
    type,
    body: fields.get('body') ?? '',
    metadata: decodeMetadata(fields.get('md')),
    deliveryCount,
    publishedAt: Number(entry.entryId.split('-')[0]),
  };
}
