import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { z } from 'zod';
import { CallContext } from '../metadata/call-context';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';

/** Issues of a failed validation, as they travel in an INVALID_ARGUMENT error's details. */
export function validationIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/**
 * Validates every RPC request (and every event) against its contract schema before the handler runs (after guards), and hands
 * the handler the parsed value. A bad request fails with INVALID_ARGUMENT and the list of issues.
 */
@Injectable()
export class ContractValidationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'rpc') {
      const call = context.switchToRpc().getContext<unknown>();
      const schema = call instanceof CallContext ? call.requestSchema : undefined;
      if (call instanceof CallContext && schema) {
        const args = context.getArgs();
        const parsed = schema.safeParse(args[0]);
        if (!parsed.success) {
          const issues = validationIssues(parsed.error);
          throw new RpcError(
            StatusCode.INVALID_ARGUMENT,
            `invalid ${call.method} request: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
            { issues },
          );
        }
        args[0] = parsed.data;
      }
    }
    return next.handle();
  }
}
