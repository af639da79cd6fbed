import { HttpException, UnprocessableEntityException } from '@nestjs/common';
import { BULKHEAD_FULL, codeOfHttpStatus, httpResponseOf, httpStatusOf } from './http-status';
import { RpcError } from './rpc-error';
import { ERROR_CODES, StatusCode } from './status-code';

describe('HTTP mapping of status codes', () => {
  it('maps every code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusOf(StatusCode.NOT_FOUND)).toBe(404);
    expect(httpStatusOf(StatusCode.INVALID_ARGUMENT)).toBe(400);
    expect(httpStatusOf(StatusCode.UNAUTHENTICATED)).toBe(401);
    expect(httpStatusOf(StatusCode.DEADLINE_EXCEEDED)).toBe(504);
  });

  it('answers an overloaded or unavailable target with 503 and Retry-After', () => {
    expect(httpResponseOf(new RpcError(StatusCode.UNAVAILABLE, 'down'))).toEqual({ status: 503, retryAfterSeconds: 1 });
    expect(httpResponseOf(new RpcError(StatusCode.RESOURCE_EXHAUSTED, 'full', { reason: BULKHEAD_FULL }))).toEqual({
      status: 503,
      retryAfterSeconds: 1,
    });
    expect(httpResponseOf(new RpcError(StatusCode.RESOURCE_EXHAUSTED, 'too big'))).toEqual({ status: 429 });
  });

  it('maps an HTTP status back to the code whose status it is, so a round trip keeps the status', () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(codeOfHttpStatus(httpStatusOf(code)))).toBe(httpStatusOf(code));
    expect(codeOfHttpStatus(422)).toBe(StatusCode.FAILED_PRECONDITION);
    expect(codeOfHttpStatus(400)).toBe(StatusCode.INVALID_ARGUMENT);
    expect(codeOfHttpStatus(413)).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(codeOfHttpStatus(418)).toBe(StatusCode.UNKNOWN);
    expect(codeOfHttpStatus(502)).toBe(StatusCode.INTERNAL);
  });

  it('gives a handler\'s HttpException the same code as the gateway gives it (RpcError.from uses the one table)', () => {
    expect(RpcError.from(new UnprocessableEntityException('stale')).code).toBe(StatusCode.FAILED_PRECONDITION);
    for (const status of [400, 401, 403, 404, 405, 409, 412, 413, 415, 418, 422, 429, 499, 500, 501, 502, 503, 504]) {
      expect(RpcError.from(new HttpException('x', status)).code).toBe(codeOfHttpStatus(status));
    }
  });
});
