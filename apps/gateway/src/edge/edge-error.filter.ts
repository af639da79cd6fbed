import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeOfHttpStatus, httpResponseOf, RpcError, StatusCode } from '@app/transport';
import { OAuthError } from '../auth/oauth-error';
import { nodeRequest, nodeResponse } from './node-http';
import { requestIdOf } from './request-id';


/**
 * The one JSON shape of every error the gateway's API answers:
 * `{code, message, details, requestId}`, where `code` is the canonical status name (`INVALID_ARGUMENT`,
 * `NOT_FOUND`, `RESOURCE_EXHAUSTED`, ...) and the HTTP status follows from it through `httpResponseOf`, the one
 * mapping of codes to statuses; an HttpException keeps its status and is named by `codeOfHttpStatus`, the same
 * table `RpcError.from` uses on the services. `statusCode` and `error` (= `code`, or a more precise name such as
 * `PAYLOAD_TOO_LARGE`) stay in the body for v1 clients that read them.
 *
 * The token endpoint's OAuth errors keep RFC 6749's `{error, error_description}`, which OAuth clients expect.
 */
export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
  requestId: string | null;
  statusCode: number;
  error: string;
}

/** Installed as the gateway's first global filter (configureEdge), so it sees every HTTP error before any other. */
@Catch()
export class EdgeErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = nodeRequest(http.getRequest<object>());
    const response = nodeResponse(http.getResponse<object>());
    if (response.headersSent) return void response.end();

    if (exception instanceof OAuthError) return send(response, exception.getStatus(), exception.getResponse());

    const requestId = requestIdOf(request) ?? null;
    let status: number;
    let code: string;
    let error: string;
    let message: string;
    let details: unknown = null;
    if (exception instanceof RpcError) {
      const mapped = httpResponseOf(exception);
      status = mapped.status;
      if (mapped.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(mapped.retryAfterSeconds));
      code = error = StatusCode[exception.code];
      message = exception.message;
      details = exception.details ?? null;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const canonical = codeOfHttpStatus(status);
      code = StatusCode[canonical];
      const body = exception.getResponse();
      const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      error = typeof fields.error === 'string' && /^[A-Z][A-Z_]+$/.test(fields.error) ? fields.error : code;
      message = typeof fields.message === 'string' ? fields.message : Array.isArray(fields.message) ? fields.message.join('; ') : exception.message;
      details = fields.details ?? null;
    } else {
      status = 500;
      code = error = StatusCode[StatusCode.INTERNAL];
      message = 'internal error';
      this.log.error(`unhandled error on ${request.method} ${request.url?.split('?')[0]} (request ${requestId}): ${
        exception instanceof Error ? exception.stack : String(exception)
      }`);
    }
    const body: ErrorBody = { code, message, details, requestId, statusCode: status, error };
    send(response, status, body);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}
