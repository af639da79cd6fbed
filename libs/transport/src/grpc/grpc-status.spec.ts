import { Metadata as GrpcMetadata, status, type ServiceError } from '@grpc/grpc-js';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { ERROR_DETAILS_KEY, fromServiceError, toGrpcStatus } from './grpc-status';

/** What the client sees of a status the server sent (grpc-js percent-encodes the message on the wire). */
function received(error: RpcError): ServiceError {
  const status = toGrpcStatus(error);
  const details = decodeURI(encodeURI(status.details));
  return Object.assign(new Error(`${status.code} ${details}`), { ...status, details });
}

describe('gRPC status mapping', () => {
  it('round-trips code, non-ASCII message and details, with ASCII-only trailers', () => {
    const details = { reason: 'ünïcode — ✓ 😀', line: 'a\nb', list: [1, 2.5, null, true] };
    const sent = new RpcError(StatusCode.FAILED_PRECONDITION, 'failed — ünïcode 100% #1', details);
    const [trailer] = toGrpcStatus(sent).metadata.get(ERROR_DETAILS_KEY);
    expect(trailer).toMatch(/^[\x20-\x7e]*$/);
    const back = fromServiceError(received(sent));
    expect(back).toBeInstanceOf(RpcError);
    expect(back.toJSON()).toEqual(sent.toJSON());
  });

  it('sends no details trailer when the error has none', () => {
    const status = toGrpcStatus(new RpcError(StatusCode.NOT_FOUND, 'no such thing'));
    expect(status.metadata.get(ERROR_DETAILS_KEY)).toEqual([]);
    expect(fromServiceError(received(new RpcError(StatusCode.NOT_FOUND, 'x'))).details).toBeUndefined();
  });

  it("keeps gRPC's own status and message for errors raised by gRPC itself", () => {
    const native = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: status.UNAVAILABLE,
      details: 'No connection established',
      metadata: new GrpcMetadata(),
    });
    expect(fromServiceError(native).toJSON()).toEqual({ code: StatusCode.UNAVAILABLE, message: 'No connection established' });
  });
});
