import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { codeOfHttpStatus } from './http-status';
import { isStatusCode, StatusCode } from './status-code';

/** How an error travels on the JSON transports (and inside gRPC trailers for `details`). */
export interface RpcErrorBody {
  code: StatusCode;
  message: string;
  details?: unknown;
  /** Retry pushback: the failure was already retried downstream, so callers must not retry it again. */
  noRetry?: boolean;
}

/**
 * The one error type of a call. Thrown by handlers (or mapped from whatever they throw) and raised by clients:
 * the caller sees the same code, message and details whatever the transport.
 */
export class RpcError extends Error {
  constructor(
    readonly code: StatusCode,
    message: string,
    readonly details?: unknown,
    /** Retry pushback (travels with the error): callers must not retry this failure. */
    readonly noRetry = false,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  /** The same error, marked so that no caller upstream retries it (it was retried where it happened). */
  withNoRetry(): RpcError {
    return this.noRetry ? this : new RpcError(this.code, this.message, this.details, true);
  }

  get codeName(): string {
    return StatusCode[this.code];
  }

  toJSON(): RpcErrorBody {
    const body: RpcErrorBody = { code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    if (this.noRetry) body.noRetry = true;
    return body;
  }

  /** Maps anything a handler may throw to an RpcError, keeping its message. */
  static from(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    if (error instanceof RpcException) {
      const inner = error.getError();
      if (typeof inner === 'object' && inner !== null && isStatusCode((inner as RpcErrorBody).code)) {
        return RpcError.fromBody(inner);
      }
      return new RpcError(StatusCode.UNKNOWN, typeof inner === 'string' ? inner : error.message);
    }
    if (error instanceof HttpException) {
      const response = error.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? [(response as { message: unknown }).message].flat().join('; ')
          : error.message;
      return new RpcError(codeOfHttpStatus(error.getStatus()), message);
    }
    if (error instanceof Error) return new RpcError(StatusCode.UNKNOWN, error.message || error.name);
    return new RpcError(StatusCode.UNKNOWN, String(error));
  }

  /** Rebuilds an error received from the wire; a malformed body becomes INTERNAL rather than a crash. */
  static fromBody(body: unknown): RpcError {
    if (typeof body === 'object' && body !== null) {
      const { code, message, details, noRetry } = body as Partial<RpcErrorBody>;
      if (isStatusCode(code) && code !== StatusCode.OK && typeof message === 'string') {
        return new RpcError(code, message, details, noRetry === true);
      }
    }
    return new RpcError(StatusCode.INTERNAL, 'malformed error reply from the server');
  }
}

export const deadlineExceeded = (method: string) =>
  new RpcError(StatusCode.DEADLINE_EXCEEDED, `deadline exceeded calling ${method}`);
export const unavailable = (what: string) => new RpcError(StatusCode.UNAVAILABLE, what);
export const unimplemented = (method: string) =>
  new RpcError(StatusCode.UNIMPLEMENTED, `method ${method} is not implemented`);
