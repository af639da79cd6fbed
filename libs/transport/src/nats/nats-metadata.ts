import { headers, Msg, MsgHdrs } from 'nats';
import { acceptMetadataEntry, Metadata, sanitizeMetadata } from '../metadata/metadata';

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

/** What a received message keeps of its bytes in nats.js 2.x (MsgImpl): the header block is `_rdata[0, _msg.hdr)`. */
interface ReceivedMsg {
  _rdata?: Uint8Array;
  _msg?: { hdr?: number };
}

/**
 * The metadata of a received request, read straight from its header block in one pass: the same entries as
 * `headerMetadata(msg.headers)` (first value of each key, malformed ones dropped) without building nats.js's
 * MsgHdrs (a TextDecoder pass, a Map of arrays and a key check per header). Falls back to `msg.headers` if the
 * message does not look like nats.js 2.x's.
 */
export function requestMetadata(msg: Msg): Metadata {
  const { _rdata: data, _msg: arg } = msg as unknown as ReceivedMsg;
  const end = arg?.hdr;
  if (!(data instanceof Uint8Array) || typeof end !== 'number' || end > data.length) return headerMetadata(msg.headers);
  const out: Metadata = {};
  if (end <= 0) return out;
  const block = Buffer.from(data.buffer, data.byteOffset, end).toString('latin1');
  let start = block.indexOf('\r\n');
  while (start !== -1) {
    const from = start + 2;
    const next = block.indexOf('\r\n', from);
    const line = next === -1 ? block.slice(from) : block.slice(from, next);
    const colon = line.indexOf(':');
    if (colon > 0) acceptMetadataEntry(out, line.slice(0, colon), line.slice(colon + 1).trim());
    start = next;
  }
  return out;
}
