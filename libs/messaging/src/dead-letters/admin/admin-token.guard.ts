import { CanActivate, ExecutionContext, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ADMIN_CONFIG, AdminConfig } from './admin-config';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  url?: string;
}

interface HttpResponse {
  setHeader(name: string, value: string): unknown;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Lets an admin request through only with `Authorization: Bearer <ADMIN_TOKEN>`; 401 with `WWW-Authenticate`
 * otherwise. The comparison is constant-time (SHA-256 digests of both, then timingSafeEqual), so neither the
 * token's content nor its length leaks through timing.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly log = new Logger('admin');

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.expected = digest(config.token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return false;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    const response = context.switchToHttp().getResponse<HttpResponse>();
    response.setHeader('WWW-Authenticate', match ? 'Bearer realm="admin", error="invalid_token"' : 'Bearer realm="admin"');
    this.log.warn(`refused ${request.method ?? ''} ${request.url ?? ''}: ${match ? 'wrong' : 'no'} admin token`);
    throw new UnauthorizedException(match ? 'invalid admin token' : 'admin token required (Authorization: Bearer <ADMIN_TOKEN>)');
  }
}
