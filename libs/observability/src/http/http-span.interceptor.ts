import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Context, context } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { HTTP_TRACE_CONTEXT } from './http-telemetry.middleware';

/**
 * Runs an HTTP route handler inside its request's span (made by `httpTelemetry`), so the calls it makes are
 * children of it. Needed because body parsing resumes the request outside the middleware's async context.
 */
@Injectable()
export class HttpSpanInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<Record<symbol, Context | undefined>>();
    const spanContext = request[HTTP_TRACE_CONTEXT];
    if (!spanContext) return next.handle();
    return new Observable((subscriber) => context.with(spanContext, () => next.handle().subscribe(subscriber)));
  }
}
