import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError } from 'rxjs';
import { httpResponseOf } from '../status/http-status';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';

/**
 * Replaces Nest's default RPC filter, which turns every unknown error into "Internal server error": in an RPC
 * handler the error is mapped to an RpcError and passed on with its code, message and details. In an HTTP handler
 * an RpcError (e.g. from a downstream call) becomes the HTTP status of its code (503 + Retry-After when the
 * target is overloaded or down) with `{statusCode, error, message, details}`; other HTTP errors keep Nest's default handling.
 */
@Catch()
export class RpcErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') return throwError(() => RpcError.from(exception));
    if (exception instanceof RpcError && host.getType() === 'http' && this.httpAdapterHost?.httpAdapter) {
      const { status, retryAfterSeconds } = httpResponseOf(exception);
      const body: Record<string, unknown> = { statusCode: status, error: StatusCode[exception.code], message: exception.message };
      if (exception.details !== undefined) body.details = exception.details;
      const response = host.switchToHttp().getResponse();
      if (retryAfterSeconds !== undefined) this.httpAdapterHost.httpAdapter.setHeader(response, 'Retry-After', String(retryAfterSeconds));
      this.httpAdapterHost.httpAdapter.reply(response, body, status);
      return;
    }
    return super.catch(exception, host);
  }
}
