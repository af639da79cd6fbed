import type { MethodRef } from '@app/contracts';
import { RpcError, StatusCode } from '@app/transport';

/**
 * Whether a failed call may be sent again: UNAVAILABLE (the call did not get through, or the target is going
 * away) always; DEADLINE_EXCEEDED only for methods the contract marks idempotent (it may have run); never a
 * failure that carries retry pushback (already retried downstream) or any other code.
 */
export function isRetryable(error: unknown, method: MethodRef): boolean {
  if (!(error instanceof RpcError) || error.noRetry) return false;
  if (error.code === StatusCode.UNAVAILABLE) return true;
  return error.code === StatusCode.DEADLINE_EXCEEDED && method.idempotent;
}
