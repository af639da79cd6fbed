import { headers, MsgHdrs } from 'nats';
import { Metadata, sanitizeMetadata } from '../metadata/metadata';

/** Call metadata as NATS headers, one header per key (keys are already validated lower-case ASCII). */
export function metadataHeaders(metadata: Metadata): MsgHdrs {
  const out = headers();
  for (const key in metadata) out.append(key, metadata[key]);
  return out;
}

/** The metadata carried by a request's headers; malformed entries are dropped. */
export function headerMetadata(hdrs: MsgHdrs | undefined): Metadata {
  if (!hdrs) return {};
  const raw: Record<string, string> = {};
  for (const [key, values] of hdrs) raw[key] = values[0];
  return sanitizeMetadata(raw);
}
