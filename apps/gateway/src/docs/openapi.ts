import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, DocumentBuilder, getSchemaPath, SwaggerModule } from '@nestjs/swagger';
import { ApiProperty } from '@nestjs/swagger';

/** The error shape of every API error (EdgeErrorFilter), as an OpenAPI schema. */
export class ErrorBodyDoc {
  @ApiProperty({ example: 'INVALID_ARGUMENT', description: 'canonical status code name (gRPC codes)' })
  code!: string;
  @ApiProperty({ example: 'items: array must contain at least 1 element(s)' })
  message!: string;
  @ApiProperty({ nullable: true, example: { issues: [{ path: 'items', message: 'too small' }] }, type: Object })
  details!: unknown;
  @ApiProperty({ nullable: true, example: '4f1c2a9e-3b7d-4d8e-9a51-2f0c8e6b1d23', description: 'also in X-Request-Id' })
  requestId!: string | null;
  @ApiProperty({ example: 400, description: 'the HTTP status (kept for v1 clients)' })
  statusCode!: number;
  @ApiProperty({ example: 'INVALID_ARGUMENT', description: '= code, or a more precise name (kept for v1 clients)' })
  error!: string;
}

const EXAMPLES: Record<number, { code: string; message: string }> = {
  400: { code: 'INVALID_ARGUMENT', message: 'invalid order id: 1-128 characters' },
  401: { code: 'UNAUTHENTICATED', message: 'missing bearer token: send Authorization: Bearer <access token>' },
  404: { code: 'NOT_FOUND', message: 'order 7d0c... not found' },
  409: { code: 'ABORTED', message: 'a request with this Idempotency-Key is still in flight' },
  413: { code: 'RESOURCE_EXHAUSTED', message: 'request body is larger than 64 KiB' },
  422: { code: 'FAILED_PRECONDITION', message: 'this Idempotency-Key was already used with a different request body' },
  429: { code: 'RESOURCE_EXHAUSTED', message: 'too many requests: retry after the Retry-After seconds' },
  503: { code: 'UNAVAILABLE', message: 'orders is unavailable' },
  504: { code: 'DEADLINE_EXCEEDED', message: 'orders.v1.GetOrder: deadline exceeded' },
};

/** Documents the error responses of a route, each in the one error shape with an example. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ErrorBodyDoc),
    ...[...new Set([...statuses, 429, 503])].map((status) => {
      const example = EXAMPLES[status] ?? { code: 'UNKNOWN', message: 'error' };
      return ApiResponse({
        status,
        description: example.code,
        schema: { $ref: getSchemaPath(ErrorBodyDoc) },
        example: { ...example, details: null, requestId: '4f1c2a9e-3b7d-4d8e-9a51-2f0c8e6b1d23', statusCode: status, error: example.code },
      });
    }),
  );
}

export const DOCS_PATH = 'docs';

/**
 * The OpenAPI document, generated from the controllers' decorators, served at `/docs` (Swagger UI) and
 * `/docs-json`. Bearer auth is the scheme `bearer` (a token of `POST /v1/auth/token`).
 */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Switchboard API')
    .setDescription(
      'The gateway of Switchboard. Versioned paths: /v1 and /v2 are served side by side (see docs/gateway.md, Versioning). ' +
        'Every error has the shape {code, message, details, requestId}. Rate limits per client and per IP: 429 with Retry-After ' +
        'and X-RateLimit-* headers. Order status changes are pushed over the WebSocket /v1/events.',
    )
    .setVersion('2')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDoc] });
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, raw: ['json'] });
}
