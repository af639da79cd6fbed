import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The Node request and response under whatever Nest's HTTP platform hands a guard, filter or handler: Express's
 * `req` / `res` are Node's own, Fastify's wrap them as `.raw`. The gateway reads and writes these, so the same code
 * runs on both platforms: a header set on the Node response is sent by Express, and merged by Fastify into the
 * headers of its reply (Node's `writeHead` keeps what `setHeader` set); a response ended here is sent on either.
 */
export function nodeRequest(request: object): IncomingMessage {
  return ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
}

export function nodeResponse(response: object): ServerResponse {
  return ((response as { raw?: ServerResponse }).raw ?? response) as ServerResponse;
}
