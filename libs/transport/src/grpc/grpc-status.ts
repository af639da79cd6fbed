import { Metadata as GrpcMetadata, type ServiceError, type StatusObject, type status as GrpcStatus } from '@grpc/grpc-js';
import { RpcError } from '../status/rpc-error';
import { isStatusCode, StatusCode } from '../status/status-code';

/** Trailing metadata that carries an RpcError's `details` as JSON (non-ASCII escaped, so any details fit). */
export const ERROR_DETAILS_KEY = 'x-error-details';
/** Trailing metadata that carries an RpcError's retry pushback. */
export const NO_RETRY_KEY = 'x-no-retry';

const NON_ASCII = /[^\x20-\x7e]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON that uses printable ASCII only: still valid JSON, parsed back to the same value. */
function asciiJson(value: unknown): string | undefined {
  const json = JSON.stringify(value);
  return json === undefined ? undefined : json.replace(NON_ASCII, escapeChar);
}

/** The status a server replies with for an RpcError: code, message, and details in the trailers. */
export function toGrpcStatus(error: RpcError): StatusObject {
  const metadata = new GrpcMetadata();
  const details = error.details === undefined ? undefined : asciiJson(error.details);
  if (details !== undefined) metadata.set(ERROR_DETAILS_KEY, details);
  if (error.noRetry) metadata.set(NO_RETRY_KEY, '1');
  const code: GrpcStatus = error.code as number;
  return { code, details: error.message, metadata };
}

function detailsOf(metadata: GrpcMetadata | undefined): unknown {
  const [raw] = metadata?.get(ERROR_DETAILS_KEY) ?? [];
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the RpcError of a failed call: the server's code, message and details; or gRPC's own status
 * (DEADLINE_EXCEEDED, UNAVAILABLE, UNIMPLEMENTED, RESOURCE_EXHAUSTED) with its message.
 */
export function fromServiceError(error: ServiceError): RpcError {
  const code = isStatusCode(error.code) && error.code !== StatusCode.OK ? error.code : StatusCode.UNKNOWN;
  return new RpcError(code, error.details, detailsOf(error.metadata), error.metadata?.get(NO_RETRY_KEY)[0] === '1');
}
