import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeRequest } from './node-http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A client's own request id is kept when it is short and plain; anything else is replaced by a fresh UUID. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const ids = new WeakMap<object, string>();

/** The id of a request (set by `requestIdMiddleware`), for error bodies and logs; Express's or Fastify's request. */
export const requestIdOf = (request: object): string | undefined => ids.get(nodeRequest(request));

/**
 * Gives every request an id, echoed in `X-Request-Id` on every response (errors included): the client's own
 * `X-Request-Id` when it is 1-128 characters of letters, digits and `. _ : -`, else a new UUID.
 */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const offered = req.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
  ids.set(req, id);
  res.setHeader('X-Request-Id', id);
  next();
}
