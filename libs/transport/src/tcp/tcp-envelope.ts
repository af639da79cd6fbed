import type { Metadata } from '../metadata/metadata';
import { sanitizeMetadata } from '../metadata/metadata';
import { encodeFrame } from './frame-codec';

/**
 * The JSON inside TCP frames. A request is `{"i":"<id>","m":"<method>","md":{...},"p":<payload>}`, with the
 * payload last so the server can cut its text out (and check its size) without parsing it. A reply is
 * `{"i":"<id>",` followed by the reply body of the JSON codec without its `{`. The server's last frame on a
 * connection it is closing is GOAWAY: the client stops sending on it.
 */
export const GOAWAY_TEXT = '{"goaway":true}';

const ID_START = 6; // after `{"i":"`
const MAX_ID_LENGTH = 32;

export interface RequestFrame {
  id: string;
  method: string;
  metadata: Metadata;
  /** The payload's JSON text, not yet size-checked or parsed. */
  body: string;
}

/** A request frame, length prefix included. */
export function encodeRequestFrame(id: string, method: string, metadata: Metadata, body: string): Buffer {
  return encodeFrame(requestText(id, method, metadata, body));
}

/** The text of a request frame; `body` is the payload's JSON text. */
export function requestText(id: string, method: string, metadata: Metadata, body: string): string {
  return `{"i":"${id}","m":${methodJson(method)},"md":${JSON.stringify(metadata)},"p":${body}}`;
}

/** A reply frame, length prefix included; `reply` is a JSON object's text (`{"r":...}` or `{"e":...}`). */
export function encodeReplyFrame(id: string, reply: string): Buffer {
  return encodeFrame(replyText(id, reply));
}

/** The text of a reply frame; `reply` is a JSON object's text (`{"r":...}` or `{"e":...}`). */
export function replyText(id: string, reply: string): string {
  return `{"i":"${id}",${reply.slice(1)}`;
}

/** The text of a reply frame carrying a result; `result` is its JSON text. */
export function resultText(id: string, result: string): string {
  return `{"i":"${id}","r":${result}}`;
}

const methodJsonCache = new Map<string, string>();
const MAX_CACHED_METHODS = 1024;

/** A method name as a JSON string; a client calls a handful of methods, so their encodings are kept. */
function methodJson(method: string): string {
  let json = methodJsonCache.get(method);
  if (json === undefined) {
    json = JSON.stringify(method);
    if (methodJsonCache.size < MAX_CACHED_METHODS) methodJsonCache.set(method, json);
  }
  return json;
}

/** The id a request or reply frame starts with, read without parsing the frame; undefined when it has none. */
export function frameId(text: string): string | undefined {
  if (!text.startsWith('{"i":"')) return undefined;
  const end = text.indexOf('"', ID_START);
  if (end <= ID_START || end - ID_START > MAX_ID_LENGTH) return undefined;
  const id = text.slice(ID_START, end);
  return id.includes('\\') ? undefined : id;
}

/** A request frame with its payload parsed. */
export interface ParsedRequestFrame {
  id: string;
  method: string;
  metadata: Metadata;
  payload: unknown;
}

/**
 * A request frame whose payload cannot be over `limit` bytes (the whole frame is not), parsed with one
 * JSON.parse; undefined when it is larger, or not exactly a well-formed request (parseRequestFrame then says
 * which, and checks the payload's size on its own text).
 */
export function parseSmallRequestFrame(text: string, limit: number): ParsedRequestFrame | undefined {
  if (text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text) > limit)) return undefined;
  const id = frameId(text);
  if (id === undefined) return undefined;
  let fields: { m?: unknown; md?: unknown; p?: unknown };
  try {
    fields = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof fields.m !== 'string' || !('p' in fields)) return undefined;
  return { id, method: fields.m, metadata: sanitizeMetadata(fields.md), payload: fields.p };
}

/** Splits a request frame into its header fields and payload text; undefined when it is malformed. */
export function parseRequestFrame(text: string): RequestFrame | undefined {
  const id = frameId(text);
  if (id === undefined || text.charCodeAt(text.length - 1) !== 0x7d /* } */) return undefined;
  let position = ID_START + id.length + 1;
  while (text.startsWith(',"', position)) {
    const keyEnd = text.indexOf('":', position + 2);
    if (keyEnd < 0) return undefined;
    if (keyEnd === position + 3 && text.charCodeAt(position + 2) === 0x70 /* p */) {
      return parseHeader(text.slice(0, position) + '}', id, text.slice(keyEnd + 2, text.length - 1));
    }
    position = skipJsonValue(text, keyEnd + 2);
    if (position < 0) return undefined;
  }
  return undefined;
}

function parseHeader(header: string, id: string, body: string): RequestFrame | undefined {
  let fields: { m?: unknown; md?: unknown };
  try {
    fields = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof fields.m !== 'string') return undefined;
  return { id, method: fields.m, metadata: sanitizeMetadata(fields.md), body };
}

/** The index just after the JSON value starting at `start`, or -1 when the text ends inside it. */
function skipJsonValue(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = skipString(text, i);
      if (i < 0) return -1;
      if (depth === 0) return i + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (c === 0x2c /* , */ && depth === 0) {
      return i;
    }
  }
  return -1;
}

/** The index of the quote closing the string that opens at `start`, or -1. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}
