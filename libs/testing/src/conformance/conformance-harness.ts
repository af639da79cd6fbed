import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientInterceptorFactory,
  createDriver,
  createServiceClient,
  loadTransportConfig,
  RpcClient,
  ServiceClient,
  SwitchboardModule,
  connectSwitchboardServer,
  TransportConfig,
  TransportDriver,
} from '@app/transport';
import { ConformanceV1 } from './conformance.contract';
import { ConformanceController, ConformanceState } from './conformance.controller';
import type { TransportFixture } from './transport-fixture';

export interface RunningServer {
  readonly instanceId: string;
  readonly state: ConformanceState;
  close(): Promise<void>;
}

export type ConformanceClient = ServiceClient<typeof ConformanceV1> & { readonly rpc: RpcClient };

/**
 * What a conformance case works with: servers of conformance.v1 started as real Nest apps (the same wiring as
 * the apps), and clients, on the fixture's transport. Everything started is closed after each test.
 */
export class ConformanceHarness {
  private readonly servers = new Set<RunningServer>();
  private readonly drivers = new Set<TransportDriver>();
  private serial = 0;

  constructor(readonly fixture: TransportFixture) {}

  get transport() {
    return this.fixture.transport;
  }

  config(overrides: Partial<TransportConfig> = {}): TransportConfig {
    return loadTransportConfig({ TRANSPORT: this.fixture.transport }, { ...this.fixture.config(), ...overrides });
  }

  /** Starts server instance `index` (0 or 1; on tcp/grpc each has its own address). */
  async startServer(
    index = 0,
    overrides: Partial<TransportConfig> = {},
    interceptors: readonly ClientInterceptorFactory[] = [],
    /** More modules for the server app, e.g. ServiceAuthModule. */
    imports: readonly DynamicModule[] = [],
  ): Promise<RunningServer> {
    const config = this.config({
      ...this.fixture.serverConfig(index),
      instanceId: `instance-${index}-${++this.serial}`,
      ...overrides,
    });
    @Module({
      imports: [
        SwitchboardModule.forService({ service: 'conformance', config, clients: [ConformanceV1], interceptors }),
        ...imports,
      ],
      controllers: [ConformanceController],
      providers: [ConformanceState],
    })
    class ConformanceAppModule {}

    const app: INestApplication = await NestFactory.create(ConformanceAppModule, { logger: ['error'], abortOnError: false });
    connectSwitchboardServer(app, [ConformanceV1]);
    await app.startAllMicroservices();
    await app.init();
    const server: RunningServer = {
      instanceId: config.instanceId,
      state: app.get(ConformanceState),
      close: async () => {
        if (this.servers.delete(server)) await app.close();
      },
    };
    this.servers.add(server);
    return server;
  }

  /** A client of conformance.v1, with the given client interceptors (outermost first). */
  client(overrides: Partial<TransportConfig> = {}, interceptors: readonly ClientInterceptorFactory[] = []): ConformanceClient {
    const config = this.config(overrides);
    const driver = createDriver(config);
    this.drivers.add(driver);
    const rpc = new RpcClient(driver.client(ConformanceV1), {
      caller: 'conformance-test',
      timeoutMs: config.timeoutMs,
      maxPayloadBytes: config.maxPayloadBytes,
      interceptors: interceptors.flatMap((make) => make(ConformanceV1)),
    });
    return Object.assign(Object.create(createServiceClient(ConformanceV1, rpc)), { rpc }) as ConformanceClient;
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.servers].map((s) => s.close()));
    await Promise.all([...this.drivers].map((d) => d.close()));
    this.drivers.clear();
  }
}
