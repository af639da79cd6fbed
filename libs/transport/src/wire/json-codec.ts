import { RpcError, RpcErrorBody } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';

/**
 * JSON on the wire for memory, tcp, nats and redis. A reply is `{"r":<result>}` or `{"e":{code,message,details}}`.
 */
export function tooLarge(what: string, size: number, limit: number): RpcError {
  return new RpcError(StatusCode.RESOURCE_EXHAUSTED, `${what} is ${size} bytes, over the ${limit} byte limit`, {
    size,
    limit,
  });
}

/** Encodes a payload, checking its size; `undefined` is sent as `{}`. */
export function encodePayload(payload: unknown, limit: number, what = 'request payload'): string {
  const body = payload === undefined ? '{}' : JSON.stringify(payload);
  if (body === undefined) throw new RpcError(StatusCode.INVALID_ARGUMENT, `${what} cannot be encoded as JSON`);
  if (body.length > limit && Buffer.byteLength(body) > limit) throw tooLarge(what, Buffer.byteLength(body), limit);
  return body;
}

export function decodeJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RpcError(StatusCode.INVALID_ARGUMENT, `${what} is not valid JSON`);
  }
}

export function encodeReply(result: unknown, limit: number): string {
  try {
    return `{"r":${encodePayload(result ?? {}, limit, 'response payload')}}`;
  } catch (error) {
    return encodeErrorReply(RpcError.from(error));
  }
}

export function encodeErrorReply(error: RpcError): string {
  return JSON.stringify({ e: error.toJSON() });
}

/** Turns a reply body into the result, or throws the RpcError it carries. */
export function decodeReply(text: string): unknown {
  let reply: { r?: unknown; e?: RpcErrorBody };
  try {
    reply = JSON.parse(text);
  } catch {
    throw new RpcError(StatusCode.INTERNAL, 'malformed reply from the server');
  }
  if (reply && typeof reply === 'object') {
    if ('r' in reply) return reply.r;
    if ('e' in reply) throw RpcError.fromBody(reply.e);
  }
  throw new RpcError(StatusCode.INTERNAL, 'malformed reply from the server');
}

/** Decodes a request body received from the wire, refusing one over the limit before parsing it. */
export function decodeRequestBody(text: string, limit: number): unknown {
  if (text.length > limit && Buffer.byteLength(text) > limit) {
    throw tooLarge('request payload', Buffer.byteLength(text), limit);
  }
  return text === '' ? {} : decodeJson(text, 'request payload');
}
