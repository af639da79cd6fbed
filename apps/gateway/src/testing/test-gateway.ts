import { INestApplication, LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MemoryBroker, TransportConfig } from '@app/transport';
import { freePort } from '@app/testing';
import { GatewayConfig, loadGatewayConfig } from '../config/gateway-config';
import { configureEdge } from '../edge/configure-edge';
import { httpAdapterFor } from '../edge/http-platform';
import { GatewayModule } from '../gateway.module';

/** Settings of the gateway in the HTTP specs: two customers' clients and a test key. */
export const TEST_ENV: NodeJS.ProcessEnv = {
  AUTH_CLIENTS: 'alice:alice-secret,bob:bob-secret',
  JWT_SECRET: 'gateway-spec-signing-key-0123456789abcdef',
  TOKEN_TTL_SECONDS: '600',
};

/**
 * Keeps every line logged, so a spec can prove what never appears in a log. Nest's logger is process-wide (the
 * last app created with a `logger` option sets it), so every app of a spec uses the one `testLogs`.
 */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep = (...parts: unknown[]) => {
    this.lines.push(parts.map((p) => (p instanceof Error ? `${p.message} ${p.stack}` : String(p))).join(' '));
  };
  log = this.keep;
  error = this.keep;
  warn = this.keep;
  debug = this.keep;
  verbose = this.keep;
  fatal = this.keep;
}

export const testLogs = new RecordingLogger();

export interface TestGateway {
  readonly url: string;
  readonly app: INestApplication;
  /** The routes the HTTP platform serves, as `[method, path]` (`['get', '/v1/orders/:id']`). */
  routes(): (readonly [string, string])[];
  /** `fetch` of a path of the gateway. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** An access token from the token endpoint, for a client of TEST_ENV. */
  token(clientId: string, secret?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The gateway as the app builds it (GatewayModule, on the HTTP_PLATFORM of the environment, Nest's lifecycle), listening on a free loopback port,
 * calling the services over the memory transport on `broker`. Its config is loaded from `env`, then `adjust`ed
 * (settings that have no variable, such as OIDC timings). `transport` adds transport settings (e.g. the Redis URL
 * and namespace of the idempotency keys); the calls stay on the memory broker.
 */
export async function startTestGateway(
  broker: MemoryBroker,
  env: NodeJS.ProcessEnv = TEST_ENV,
  adjust: (config: GatewayConfig) => GatewayConfig = (config) => config,
  transport: Partial<TransportConfig> = {},
): Promise<TestGateway> {
  // The specs run on the platform of HTTP_PLATFORM in the test's environment (the default when unset), unless `env` names one.
  const config = adjust(loadGatewayConfig({ HTTP_PLATFORM: process.env.HTTP_PLATFORM, ...env }));
  @Module({
    imports: [GatewayModule.forRoot({ config, transport: { ...transport, transport: 'memory', memoryBroker: broker } })],
  })
  class TestGatewayModule {}

  const app: INestApplication = await NestFactory.create(TestGatewayModule, httpAdapterFor(config.edge.httpPlatform), {
    logger: testLogs,
    abortOnError: false,
  });
  const routes = routeRecorder(app);
  configureEdge(app);
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const fetchPath = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
  return {
    url,
    app,
    routes,
    fetch: fetchPath,
    async token(clientId, secret = `${clientId}-secret`) {
      const res = await fetchPath('/v1/auth/token', {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      });
      if (res.status !== 200) throw new Error(`token for ${clientId}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    close: () => app.close(),
  };
}

/** An Express 5 router layer with a route. */
interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Lists the routes of the app: Express's router stack, or the routes Fastify reports as they are added. */
function routeRecorder(app: INestApplication): () => (readonly [string, string])[] {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') {
    const added: (readonly [string, string])[] = [];
    const fastify = adapter.getInstance() as FastifyInstance;
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') added.push([method.toLowerCase(), route.url] as const);
      }
    });
    return () => added;
  }
  return () =>
    (adapter.getInstance() as { router: { stack: RouteLayer[] } }).router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => [method, layer.route!.path] as const));
}
