import type { AbstractHttpAdapter } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import { TOKEN_PATH } from '../auth/token.controller';
import type { GatewayConfig } from '../config/gateway-config';
import { apiBodyError, BODY_LIMIT_BYTES, bodyParserError, BodyParserError, isBodyParserError, tokenBodyError } from '../http/body-parsing';
import { edgeCorsOptions, edgeHelmetOptions, securityHeaderList } from './configure-edge';
import { requestIdMiddleware } from './request-id';

/** body-parser's limit on the parameters of a form (more: 413). */
const FORM_PARAMETER_LIMIT = 1000;

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Nest's Fastify adapter with what the gateway needs of it:
 * - routes matched as Express matches them: paths in any case (parameters as sent), a trailing slash ignored,
 *   parameters as long as the client sends them (an order id may have 128 characters; Fastify stops at 100);
 * - requests on open connections still served while the app drains, as on Express (no 503 of Fastify's own);
 * - Fastify's own errors (a body too large, ...) reach Nest's error handler, and so the EdgeErrorFilter, as the
 *   gateway's errors (translateFastifyError), where Nest would make them bare HttpExceptions;
 * - Swagger UI's files served from memory (`useStaticAssets`, which @nestjs/swagger calls), without @fastify/static.
 */
export class GatewayFastifyAdapter extends FastifyAdapter {
  constructor() {
    super({
      bodyLimit: BODY_LIMIT_BYTES,
      return503OnClosing: false,
      routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 1024 },
    });
  }

  override setErrorHandler(handler: (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown): ReturnType<FastifyAdapter['setErrorHandler']> {
    return super.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) =>
      handler(translateFastifyError(error, request.raw, reply.raw), request, reply),
    );
  }

  /** The files of one folder (Swagger UI's assets), each read once, at `<prefix>/<name>`. */
  override useStaticAssets(options: { root: string; prefix?: string }): this {
    const files = new Map<string, { path: string; body?: Buffer }>();
    for (const name of readdirSync(options.root)) {
      const path = join(options.root, name);
      if (statSync(path).isFile()) files.set(name, { path });
    }
    const prefix = (options.prefix ?? '').replace(/\/$/, '');
    this.getInstance<FastifyInstance>().get(`${prefix}/:file`, (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
      const file = files.get(request.params.file);
      if (!file) return reply.callNotFound();
      file.body ??= readFileSync(file.path);
      return reply.type(CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream').send(file.body);
    });
    return this;
  }
}

/**
 * The edge on Fastify (HTTP_PLATFORM=fastify), the same as express-edge.ts does on Express:
 * - first of all (Nest's request hook, ahead of CORS and everything else): the request id and helmet's headers, set
 *   on the Node response, so that every answer carries them, including one Fastify or a filter ends itself;
 * - CORS for the configured origins (Nest's `enableCors`: @fastify/cors);
 * - the body parsers, with body-parser's rules: JSON strict (an object or an array; an empty body is `{}`), flat
 *   urlencoded (at most 1000 parameters), 64 KiB (readText: the charsets and encodings); any other content type is
 *   not read (the body is `undefined`, as on Express, and validation answers), where Fastify would answer 415. Their
 *   failures reach the EdgeErrorFilter as the gateway's errors (translateFastifyError, by the adapter);
 * - Express's ETag on every response body Nest sends (weak, of its bytes), and 304 to a GET or HEAD whose
 *   If-None-Match names it (`expressEtag`).
 */
export function installFastifyEdge(httpAdapter: AbstractHttpAdapter, config: GatewayConfig): void {
  const adapter = httpAdapter as FastifyAdapter;
  const { set, removed } = securityHeaderList(edgeHelmetOptions(config));
  const noop = () => undefined;
  adapter.setOnRequestHook((request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const res = reply.raw;
    requestIdMiddleware(request.raw, res, noop);
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    done();
  });
  const cors = edgeCorsOptions(config);
  // The same options as on Express; their `origin` is a list of strings, which @fastify/cors takes alike.
  if (cors) adapter.enableCors(cors as Parameters<FastifyAdapter['enableCors']>[0]);

  const fastify = adapter.getInstance<FastifyInstance>();
  fastify.removeContentTypeParser('text/plain');
  adapter.useBodyParser('application/json', false, { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = readText(request, body as Buffer, 'json');
    if (text instanceof Error) return done(text, undefined);
    if (text === '') return done(null, {});
    const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
    if (first !== '{' && first !== '[') return done(parseFailed(), undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(parseFailed(), undefined);
    }
  });
  adapter.useBodyParser('application/x-www-form-urlencoded', false, { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = readText(request, body as Buffer, 'form');
    if (text instanceof Error) return done(text, undefined);
    if (text === '') return done(null, {});
    if (text.split('&').length > FORM_PARAMETER_LIMIT) {
      return done(bodyParserError(413, 'parameters.too.many', 'too many parameters'), undefined);
    }
    done(null, parseQuery(text, undefined, undefined, { maxKeys: FORM_PARAMETER_LIMIT }));
  });
  fastify.addHook('onSend', expressEtag);
  // Any other body is left unread, as Express leaves it.
  fastify.addContentTypeParser('*', (_request: unknown, _payload: unknown, done: (error: Error | null, body?: unknown) => void) =>
    done(null, undefined),
  );
}

/**
 * What Express's `res.send` does to a body: a weak ETag (`W/"<length hex>-<SHA-1 base64, 27 chars>"`, the `etag`
 * package's) and, when the request is fresh (`fresh`: If-None-Match names the tag, no If-Modified-Since, no
 * `Cache-Control: no-cache`), 304 without a body. Responses ended on the Node response (errors, `@Res()`) do not
 * pass here, as they do not pass through `res.send` on Express.
 */
export function expressEtag(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  if ((typeof payload !== 'string' && !Buffer.isBuffer(payload)) || reply.hasHeader('etag')) return done(null, payload);
  const tag = `W/"${Buffer.byteLength(payload).toString(16)}-${createHash('sha1').update(payload).digest('base64').slice(0, 27)}"`;
  reply.header('ETag', tag);
  const status = reply.statusCode;
  const method = request.raw.method;
  if ((method === 'GET' || method === 'HEAD') && ((status >= 200 && status < 300) || status === 304) && fresh(request.headers, tag)) {
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return done(null, '');
  }
  done(null, payload);
}

/** The `fresh` package's test, for a response with this ETag and no Last-Modified. */
function fresh(headers: IncomingMessage['headers'], tag: string): boolean {
  const noneMatch = headers['if-none-match'];
  if (!noneMatch || headers['if-modified-since']) return false;
  if (/(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(headers['cache-control'] ?? '')) return false;
  if (noneMatch.trim() === '*') return true;
  return noneMatch.split(',').some((token) => {
    const candidate = token.trim();
    return candidate === tag || candidate === tag.slice(2) || `W/${candidate}` === tag;
  });
}

const parseFailed = () => bodyParserError(400, 'entity.parse.failed', 'request body is not valid JSON');

/**
 * The body as text, or body-parser's 415: JSON in UTF-8 only (body-parser also decodes UTF-16 and UTF-32, which
 * no client of this API sends), a form in UTF-8 or ISO-8859-1; a compressed body is refused (body-parser inflates
 * gzip, deflate and br).
 */
function readText(request: IncomingMessage | FastifyRequest, body: Buffer, kind: 'json' | 'form'): string | Error {
  const headers = request.headers;
  const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return bodyParserError(415, 'encoding.unsupported', 'content encoding unsupported');
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(headers['content-type'] ?? ''))?.[1]?.toLowerCase() ?? 'utf-8';
  if (charset === 'utf-8') return body.toString('utf8');
  if (kind === 'form' && charset === 'iso-8859-1') return body.toString('latin1');
  return bodyParserError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`);
}

/**
 * Fastify's own body errors (too large, a wrong Content-Length, an aborted body: `FST_ERR_CTP_*`, or a parser's
 * BodyParserError) as the gateway's, the same as Express's (apiBodyError / tokenBodyError); anything else as it is.
 */
export function translateFastifyError(exception: unknown, request: IncomingMessage, response: ServerResponse): unknown {
  const failure = bodyFailureOf(exception);
  if (!failure) return exception;
  const path = (request.url ?? '/').split('?')[0];
  return path === TOKEN_PATH || path.startsWith(`${TOKEN_PATH}/`) ? tokenBodyError(failure, response) : apiBodyError(failure);
}

function bodyFailureOf(exception: unknown): BodyParserError | undefined {
  if (isBodyParserError(exception)) return exception;
  const error = exception as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (typeof error?.code !== 'string' || !error.code.startsWith('FST_ERR_CTP_') || typeof error.statusCode !== 'number') return undefined;
  const type = error.statusCode === 413 ? 'entity.too.large' : error.statusCode === 415 ? 'encoding.unsupported' : 'request.invalid';
  return { status: error.statusCode, type, message: String(error.message) };
}
