import { ArgumentsHost, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { codeOfHttpStatus, RpcError, StatusCode } from '@app/transport';
import { OAuthError } from '../auth/oauth-error';
import { EdgeErrorFilter } from './edge-error.filter';
import { requestIdMiddleware } from './request-id';

/** A request and response pair as Node gives them, enough for the filter. */
function exchange() {
  const headers: Record<string, string> = {};
  const request = { method: 'GET', url: '/v1/orders/x?secret=1', headers: { 'x-request-id': 'req-1' } };
  const response = {
    statusCode: 200,
    headersSent: false,
    body: '',
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    end(body?: string) {
      this.body = body ?? '';
    },
  };
  requestIdMiddleware(request as never, response as never, () => undefined);
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
  const json = () => JSON.parse(response.body) as Record<string, unknown>;
  return { host, response, headers, json };
}

describe('EdgeErrorFilter: one error shape from the canonical codes', () => {
  const filter = new EdgeErrorFilter();

  it('maps an RpcError by its code, with details and Retry-After for UNAVAILABLE', () => {
    const { host, response, headers, json } = exchange();
    filter.catch(new RpcError(StatusCode.UNAVAILABLE, 'orders is unavailable', { target: 'orders' }), host);
    expect(response.statusCode).toBe(503);
    expect(headers['retry-after']).toBe('1');
    expect(json()).toEqual({
      code: 'UNAVAILABLE',
      message: 'orders is unavailable',
      details: { target: 'orders' },
      requestId: 'req-1',
      statusCode: 503,
      error: 'UNAVAILABLE',
    });
  });

  it.each<[string, HttpException, number, string, string]>([
    ['an unknown route', new NotFoundException('Cannot GET /nowhere'), 404, 'NOT_FOUND', 'NOT_FOUND'],
    ['a body too large', new HttpException({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: 'too big' }, 413), 413, 'RESOURCE_EXHAUSTED', 'PAYLOAD_TOO_LARGE'],
    ["the throttler's own exception", new ThrottlerException(), 429, 'RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED'],
  ])('maps %s to its status and canonical code', (_what, exception, status, code, error) => {
    const { host, response, json } = exchange();
    filter.catch(exception, host);
    expect(response.statusCode).toBe(status);
    expect(json()).toMatchObject({ code, error, statusCode: status, requestId: 'req-1', details: null, message: expect.any(String) });
  });

  it('names an HttpException by the one status table the transport uses (422 is FAILED_PRECONDITION)', () => {
    for (const status of [400, 405, 412, 415, 422, 499, 502]) {
      const { host, response, json } = exchange();
      filter.catch(new HttpException('x', status), host);
      expect(response.statusCode).toBe(status);
      expect(json().code).toBe(StatusCode[codeOfHttpStatus(status)]);
      expect(json().code).toBe(StatusCode[RpcError.from(new HttpException('x', status)).code]);
    }
    const { host, json } = exchange();
    filter.catch(new HttpException('stale', 422), host);
    expect(json().code).toBe('FAILED_PRECONDITION');
  });

  it("leaves the token endpoint's OAuth errors in RFC 6749's shape", () => {
    const { host, response, json } = exchange();
    filter.catch(new OAuthError('invalid_client', 'client authentication failed'), host);
    expect(response.statusCode).toBe(401);
    expect(json()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  });

  it('answers an unexpected error as INTERNAL without its message, and logs it with the request id', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, response, json } = exchange();
    filter.catch(new Error('db password is hunter2'), host);
    expect(response.statusCode).toBe(500);
    expect(json()).toEqual({ code: 'INTERNAL', message: 'internal error', details: null, requestId: 'req-1', statusCode: 500, error: 'INTERNAL' });
    expect(String(logged.mock.calls[0][0])).toMatch(/request req-1/);
    expect(String(logged.mock.calls[0][0])).not.toContain('secret=1');
    logged.mockRestore();
  });
});
