import type { OutboundCall } from '../driver/transport-driver';

/**
 * The wire format of the Redis transport.
 *
 * A request, pushed on a service's list, is one line of JSON header, a newline, then the payload JSON exactly as
 * the client encoded it:
 *   {"i":"<call id>","d":<deadline, epoch ms>,"r":"<reply channel>","m":"<method>","md":{<metadata>}}\n<payload>
 * JSON text never holds a raw newline, so the first one ends the header: the server checks the payload's size
 * before parsing it, and nobody re-encodes it.
 *
 * A reply, published on the reply channel, is the shared reply body with the call id as its first field:
 *   {"i":"<call id>","r":<result>}   or   {"i":"<call id>","e":{"code":..,"message":..,"details":..}}
 */
export interface RedisRequest {
  id: string;
  replyTo: string;
  method: string;
  deadline: number;
  metadata: unknown;
  body: string;
}

/** A request that cannot be served, and where to say so when that is known. */
export interface MalformedRequest {
  problem: string;
  id?: string;
  replyTo?: string;
}

/** Builds the requests of one client, whose replies come back on `replyChannel`. */
export class RequestEncoder {
  private readonly replyField: string;
  /** `,"r":<reply channel>,"m":<method>,"md":` by method pattern: a client calls a few methods, over and over. */
  private readonly middles = new Map<string, string>();

  constructor(replyChannel: string) {
    this.replyField = `,"r":${JSON.stringify(replyChannel)},"m":`;
  }

  encode(id: string, call: OutboundCall): string {
    const pattern = call.method.pattern;
    let middle = this.middles.get(pattern);
    if (middle === undefined) {
      middle = this.replyField + JSON.stringify(pattern) + ',"md":';
      this.middles.set(pattern, middle);
    }
    return '{"i":"' + id + '","d":' + call.deadline + middle + JSON.stringify(call.metadata) + '}\n' + call.body;
  }
}

/** Metadata is at most 8 KiB (twice that escaped as JSON); ids, channel and method are short. */
const MAX_HEADER_CHARS = 32 * 1024;

/** Reads a popped request; a reply channel outside `replyPrefix` is refused, so a server publishes nowhere else. */
export function readRequest(text: string, replyPrefix: string): RedisRequest | MalformedRequest {
  const newline = text.indexOf('\n');
  if (newline < 0) return { problem: 'no header line' };
  if (newline > MAX_HEADER_CHARS) return { problem: `header over ${MAX_HEADER_CHARS} characters` };
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return { problem: 'header is not valid JSON' };
  }
  if (typeof header !== 'object' || header === null) return { problem: 'header is not an object' };
  const { i: id, r: replyTo, m: method, d: deadline, md: metadata } = header;
  if (typeof replyTo !== 'string' || !replyTo.startsWith(replyPrefix)) return { problem: 'no valid reply channel' };
  if (typeof id !== 'string') return { problem: 'no call id' };
  if (typeof method !== 'string') return { problem: 'no method', id, replyTo };
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) return { problem: 'no deadline', id, replyTo };
  return { id, replyTo, method, deadline, metadata, body: text.slice(newline + 1) };
}

export function isMalformed(request: RedisRequest | MalformedRequest): request is MalformedRequest {
  return 'problem' in request;
}

/** Puts the call id in front of a reply body (`{"r":..}` or `{"e":..}`). */
export const wrapReply = (id: string, reply: string): string => '{"i":' + JSON.stringify(id) + ',' + reply.slice(1);

/** A reply carrying `result` (already encoded as JSON) for call `id`: `{"i":<id>,"r":<result>}`. */
export const resultReply = (id: string, result: string): string => '{"i":' + JSON.stringify(id) + ',"r":' + result + '}';

/** The call id of a published reply, without parsing the rest; undefined when it is not one. */
export function readReplyId(text: string): string | undefined {
  if (!text.startsWith('{"i":"')) return undefined;
  const end = text.indexOf('"', 6);
  return end < 0 ? undefined : text.slice(6, end);
}
