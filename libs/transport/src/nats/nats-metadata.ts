import { headers, MsgHdrs } from 'nats';
import { Metadata, sanitizeMetadata } from '../metadata/metadata';

/** Call metadata as NATS headers, one header per key (keys are already validated lower-case ASCII). */
export function metadataHeaders(metadata: Metadata): MsgHdrs {
  const out = headers();
  for (const key in metadata) out.append(key, metadata[key]);
  return out;
}

const encoder = new TextEncoder();

/**
 * Call metadata as the header block of an RPC request, encoded once, in the NATS/1.0 format nats.js writes
 * (`NATS/1.0\r\nkey: value\r\n...\r\n\r\n`). nats.js only asks a request's headers to `encode()`; building its
 * MsgHdrs would check each key and value again, which the metadata already passed (validateMetadata, or made by
 * the client itself). Not for JetStream publishes, which add headers of their own: use `metadataHeaders`.
 */
export function requestHeaders(metadata: Metadata): MsgHdrs {
  let text = 'NATS/1.0';
  for (const key in metadata) text += `\r\n${key}: ${metadata[key]}`;
  text += '\r\n\r\n';
  return { encode: () => encoder.encode(text), toString: () => text } as unknown as MsgHdrs;
}

/** The metadata carried by a request's headers; malformed entries are dropped. */
export function headerMetadata(hdrs: MsgHdrs | undefined): Metadata {
  if (!hdrs) return {};
  const raw: Record<string, string> = {};
  for (const [key, values] of hdrs) raw[key] = values[0];
  return sanitizeMetadata(raw);
}
