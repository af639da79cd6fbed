import type { RpcError } from './rpc-error';
import { StatusCode } from './status-code';

/** The one mapping from status codes to HTTP statuses, used wherever an RpcError leaves over HTTP. */
const HTTP_STATUS: Record<StatusCode, number> = {
  [StatusCode.OK]: 200,
  [StatusCode.CANCELLED]: 499,
  [StatusCode.UNKNOWN]: 500,
  [StatusCode.INVALID_ARGUMENT]: 400,
  [StatusCode.DEADLINE_EXCEEDED]: 504,
  [StatusCode.NOT_FOUND]: 404,
  [StatusCode.ALREADY_EXISTS]: 409,
  [StatusCode.PERMISSION_DENIED]: 403,
  [StatusCode.RESOURCE_EXHAUSTED]: 429,
  [StatusCode.FAILED_PRECONDITION]: 422,
  [StatusCode.ABORTED]: 409,
  [StatusCode.OUT_OF_RANGE]: 400,
  [StatusCode.UNIMPLEMENTED]: 501,
  [StatusCode.INTERNAL]: 500,
  [StatusCode.UNAVAILABLE]: 503,
  [StatusCode.DATA_LOSS]: 500,
  [StatusCode.UNAUTHENTICATED]: 401,
};

export const httpStatusOf = (code: StatusCode): number => HTTP_STATUS[code] ?? 500;

/**
 * The one mapping the other way, from the HTTP status of an error raised as an HttpException (by a handler, Nest,
 * body-parser, the throttler) to a status code: used by `RpcError.from` on the server and by the gateway's error
 * filter, so both name an HTTP error the same. Where a status comes back from `HTTP_STATUS` it maps to that code
 * (422 -> FAILED_PRECONDITION -> 422); unlisted statuses are INTERNAL from 500 up, UNKNOWN below.
 */
const CODE_OF_HTTP_STATUS: Readonly<Record<number, StatusCode>> = {
  400: StatusCode.INVALID_ARGUMENT,
  401: StatusCode.UNAUTHENTICATED,
  403: StatusCode.PERMISSION_DENIED,
  404: StatusCode.NOT_FOUND,
  405: StatusCode.UNIMPLEMENTED,
  409: StatusCode.ABORTED,
  412: StatusCode.FAILED_PRECONDITION,
  413: StatusCode.RESOURCE_EXHAUSTED,
  415: StatusCode.INVALID_ARGUMENT,
  422: StatusCode.FAILED_PRECONDITION,
  429: StatusCode.RESOURCE_EXHAUSTED,
  499: StatusCode.CANCELLED,
  500: StatusCode.INTERNAL,
  501: StatusCode.UNIMPLEMENTED,
  503: StatusCode.UNAVAILABLE,
  504: StatusCode.DEADLINE_EXCEEDED,
};

export const codeOfHttpStatus = (status: number): StatusCode =>
  CODE_OF_HTTP_STATUS[status] ?? (status >= 500 ? StatusCode.INTERNAL : StatusCode.UNKNOWN);

/** `details.reason` of a call refused because too many are in flight to its target (a client-side bulkhead). */
export const BULKHEAD_FULL = 'bulkhead-full';

/**
 * How an RpcError leaves over HTTP: its code's status, except that "overloaded, come back soon" (UNAVAILABLE, or a
 * bulkhead refusal) is 503 with `Retry-After` (seconds).
 */
export function httpResponseOf(error: RpcError): { status: number; retryAfterSeconds?: number } {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (error.code === StatusCode.UNAVAILABLE || (error.code === StatusCode.RESOURCE_EXHAUSTED && reason === BULKHEAD_FULL)) {
    return { status: 503, retryAfterSeconds: 1 };
  }
  return { status: httpStatusOf(error.code) };
}
