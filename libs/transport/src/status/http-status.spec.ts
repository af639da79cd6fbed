import { BULKHEAD_FULL, httpResponseOf, httpStatusOf } from './http-status';
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
});
