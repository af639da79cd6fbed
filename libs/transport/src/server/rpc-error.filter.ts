import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError } from 'rxjs';
import { RpcError } from '../status/rpc-error';

/**
 * Replaces Nest's default RPC filter, which turns every unknown error into "Internal server error": for RPC
 * handlers the error is mapped to an RpcError and passed on with its code, message and details. HTTP errors keep
 * Nest's default handling.
 */
@Catch()
export class RpcErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') return throwError(() => RpcError.from(exception));
    return super.catch(exception, host);
  }
}
