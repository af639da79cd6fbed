import { MemoryBroker } from '@app/transport';
import { startTestGateway, TEST_ENV, TestGateway } from '../testing/test-gateway';

/** `GET /v1/orders/:id` -> `get /v1/orders/{id}`, the OpenAPI form. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the edge (gateway spec)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(new MemoryBroker(), {
      ...TEST_ENV,
      RATE_LIMIT_PER_IP: '5',
      RATE_LIMIT_WINDOW_SECONDS: '30',
    });
  });
  afterAll(() => gateway?.close());

  it('documents every API route of the app in the OpenAPI document, with the error shape and bearer auth', async () => {
    const doc = (await (await gateway.fetch('/docs-json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const routes = gateway
      .routes()
      // The live page and its script are not API; Swagger UI's own routes neither.
      .filter(([, path]) => path !== '/' && path !== '/app.js' && !path.startsWith('/docs'));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    for (const [method, path] of routes) {
      const operation = doc.paths[openApiPath(path)]?.[method];
      expect({ route: `${method} ${path}`, documented: operation !== undefined }).toEqual({ route: `${method} ${path}`, documented: true });
      const errors = Object.keys(operation!.responses).filter((status) => Number(status) >= 400);
      expect({ route: `${method} ${path}`, errors: errors.length > 0 }).toEqual({ route: `${method} ${path}`, errors: true });
    }
    expect(doc.paths['/v1/orders/{id}'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas).toHaveProperty('ErrorBodyDoc');
  });

  it('limits requests per IP address: 429 with Retry-After and the error shape once the window is used up', async () => {
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await gateway.fetch('/v1/orders/x');
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    // Swagger's own routes are not counted (they are no Nest routes): 5 pass, then the window is used up.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused!.headers.get('x-request-id')).toBeTruthy();
    expect(await refused!.json()).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      details: { limit: 'ip', max: 5, windowSeconds: 30 },
      statusCode: 429,
    });
  });
});
