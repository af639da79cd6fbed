import { Client, credentials } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { connect as connectNats } from 'nats';
import { connect as connectTcp, Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';
import { TestCertificates } from '@app/testing/brokers/test-certificates';
import { ConformanceV1 } from '@app/testing/conformance/conformance.contract';
import { loadTransportConfig, TransportConfig, TransportName } from '../config/transport-config';
import { createDriver } from '../driver/create-driver';
import type { Dispatch, OutboundCall, TransportDriver } from '../driver/transport-driver';
import { channelOptions } from '../grpc/grpc-channel';
import { GrpcSubchannel } from '../grpc/grpc-subchannel';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { encodeRequestFrame } from '../tcp/tcp-envelope';
import type { TransportTls } from './tls-config';

/** A refused certificate fails the call well before its deadline: a TLS failure fails fast, it does not hang. */
const CALL_TIMEOUT_MS = 3000;
const PROMPT_MS = 2000;
/** A call that waits for a connection that cannot be made still ends by its deadline. */
const BY_DEADLINE_MS = CALL_TIMEOUT_MS + 300;

/** What each transport needs for the same TLS cases. */
interface TlsSetting {
  transport: Exclude<TransportName, 'memory'>;
  /** The name in the certificate of what the client connects to (the server, or the broker). */
  serverCertificate: string;
  /** Starts what the servers need (a broker speaking TLS only, client certificates required). */
  start(certs: TestCertificates): Promise<Partial<TransportConfig>>;
  stop(): Promise<void>;
  /** The settings of a client speaking plain text to the same place. */
  plain(shared: Partial<TransportConfig>): Partial<TransportConfig>;
  /** Starts a place where nothing speaks TLS (a plain broker, or a free address for a plain server). */
  startPlain(): Promise<Partial<TransportConfig>>;
  /** A TLS client that trusts the CA but shows no certificate of its own: does it get service? */
  certless(shared: Partial<TransportConfig>, ca: Buffer): Promise<'served' | 'refused'>;
}

function pointToPoint(transport: 'grpc' | 'tcp'): TlsSetting {
  const address = async () => ({ addresses: { conformance: [`127.0.0.1:${await freePort()}`] } });
  return {
    transport,
    serverCertificate: 'server',
    start: address,
    stop: async () => undefined,
    plain: (shared) => shared,
    startPlain: address,
    certless: transport === 'grpc' ? grpcCertless : tcpCertless,
  };
}

function brokered(transport: 'nats' | 'redis'): TlsSetting {
  const brokers: (NatsServerProcess | RedisServerProcess)[] = [];
  const urlKey = transport === 'nats' ? 'natsUrl' : 'redisUrl';
  const track = async (broker: NatsServerProcess | RedisServerProcess) => {
    brokers.push(broker);
    await broker.start();
    return { [urlKey]: broker.url };
  };
  return {
    transport,
    serverCertificate: transport,
    start: (certs) => {
      const tls = certs.files(transport);
      return track(transport === 'nats' ? new NatsServerProcess({ tls }) : new RedisServerProcess({ tls }));
    },
    stop: async () => void (await Promise.all(brokers.splice(0).map((broker) => broker.dispose()))),
    plain: (shared) => ({ [urlKey]: `${transport}://127.0.0.1:${new URL(shared[urlKey] ?? '').port}` }),
    startPlain: () => track(transport === 'nats' ? new NatsServerProcess() : new RedisServerProcess()),
    certless: transport === 'nats' ? natsCertless : redisCertless,
  };
}

/** Our own gRPC subchannel on a channel that trusts the CA but has no client certificate. */
async function grpcCertless(shared: Partial<TransportConfig>, ca: Buffer): Promise<'served' | 'refused'> {
  const config = loadTransportConfig({ TRANSPORT: 'grpc' }, shared);
  const channel = new Client(config.addresses.conformance[0], credentials.createSsl(ca), channelOptions(config));
  try {
    return (await outcome(new GrpcSubchannel(channel).send(call()))) === 'OK' ? 'served' : 'refused';
  } finally {
    channel.close();
  }
}

/** A node:tls connection without a certificate that sends one request frame: is there any answer? */
function tcpCertless(shared: Partial<TransportConfig>, ca: Buffer): Promise<'served' | 'refused'> {
  const [host, port] = (shared.addresses?.conformance[0] ?? '').split(':');
  const socket = connectTls({ host, port: Number(port), ca });
  socket.once('secureConnect', () => socket.write(encodeRequestFrame('1', ConformanceV1.methods.echo.pattern, {}, '{"text":"x"}')));
  return answered(socket, () => true);
}

async function natsCertless(shared: Partial<TransportConfig>, ca: Buffer): Promise<'served' | 'refused'> {
  try {
    const nc = await connectNats({ servers: shared.natsUrl, tls: { ca: ca.toString() }, reconnect: false, timeout: 2000 });
    await nc.close();
    return 'served';
  } catch {
    return 'refused';
  }
}

async function redisCertless(shared: Partial<TransportConfig>, ca: Buffer): Promise<'served' | 'refused'> {
  const redis = new Redis(shared.redisUrl ?? '', { tls: { ca }, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? 'served' : 'refused';
  } catch {
    return 'refused';
  } finally {
    redis.disconnect();
  }
}

/** Waits for data that `served` accepts, or the end of the connection, for at most PROMPT_MS. */
function answered(socket: Socket, served: (data: string) => boolean): Promise<'served' | 'refused'> {
  return new Promise((resolve) => {
    let text = '';
    const done = (result: 'served' | 'refused') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('refused'), PROMPT_MS);
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (served(text)) done('served');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done('refused'));
  });
}

const call = (): OutboundCall => ({
  method: ConformanceV1.methods.echo,
  payload: { text: 'hello' },
  body: '{"text":"hello"}',
  metadata: {},
  deadline: Date.now() + CALL_TIMEOUT_MS,
});

const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'OK',
    (error: unknown) => (error instanceof RpcError ? StatusCode[error.code] : `not an RpcError: ${String(error)}`),
  );

describe.each([pointToPoint('grpc'), pointToPoint('tcp'), brokered('nats'), brokered('redis')])('TLS on $transport', (setting) => {
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let shared: Partial<TransportConfig>;
  const drivers: TransportDriver[] = [];
  let handled = 0;
  const echo: Dispatch = async ({ payload }) => (handled++, { text: (payload as { text: string }).text, instance: 'tls' });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    certs = TestCertificates.make(['server', 'client', 'nats', 'redis']);
    otherCa = TestCertificates.make(['client']);
    shared = { namespace: `tls-${setting.transport}`, ...(await setting.start(certs)) };
  });
  afterAll(async () => {
    await setting.stop();
    certs.dispose();
    otherCa.dispose();
  });
  beforeEach(() => (handled = 0));
  afterEach(async () => void (await Promise.all(drivers.splice(0).map((driver) => driver.close()))));

  const driver = (overrides: Partial<TransportConfig>) => {
    const d = createDriver(loadTransportConfig({ TRANSPORT: setting.transport }, { ...shared, ...overrides }));
    drivers.push(d);
    return d;
  };
  const serve = (overrides: Partial<TransportConfig> = { tls: certs.tls('server') }) =>
    driver(overrides).server([ConformanceV1]).listen(echo);
  /** A call from a client with this TLS material (undefined: none); its outcome, which must come within `withinMs`. */
  const callWith = async (tls: TransportTls | undefined, overrides: Partial<TransportConfig> = {}, withinMs = PROMPT_MS) => {
    const started = Date.now();
    const result = await outcome(driver({ tls, ...overrides }).client(ConformanceV1).send(call()));
    expect(Date.now() - started).toBeLessThan(withinMs);
    return result;
  };

  it('serves a client with a certificate from the CA', async () => {
    await serve();
    await expect(driver({ tls: certs.tls('client') }).client(ConformanceV1).send(call())).resolves.toEqual({
      text: 'hello',
      instance: 'tls',
    });
    expect(handled).toBe(1);
  });

  it("checks the server's certificate against TLS_SERVER_NAME when set, else the address", async () => {
    await serve();
    await expect(callWith(certs.tls('client', setting.serverCertificate))).resolves.toBe('OK');
    await expect(callWith(certs.tls('client', 'elsewhere.example'))).resolves.toBe('UNAVAILABLE');
    expect(handled).toBe(1);
  });

  it.each([
    ['a certificate from another CA', () => ({ ...otherCa.tls('client'), ca: certs.tls('client').ca })],
    ['an expired certificate', () => certs.expiredTls('client')],
    ['no TLS at all (plain text)', () => undefined],
  ])('refuses a client with %s: UNAVAILABLE, and the handler never runs', async (_, tls) => {
    await serve();
    const overrides = tls() === undefined ? setting.plain(shared) : {};
    await expect(callWith(tls(), overrides)).resolves.toBe('UNAVAILABLE');
    expect(handled).toBe(0);
  });

  it('refuses a TLS client that shows no certificate, and the handler never runs', async () => {
    await serve();
    await expect(setting.certless(shared, certs.tls('client').ca)).resolves.toBe('refused');
    expect(handled).toBe(0);
  });

  // Redis takes a TLS ClientHello for the start of an inline command and waits for the rest: no prompt failure there.
  it('does not fall back to plain text when the server speaks no TLS', async () => {
    const plain = await setting.startPlain();
    await serve({ ...plain, tls: undefined });
    await expect(callWith(certs.tls('client'), plain, BY_DEADLINE_MS)).resolves.toBe('UNAVAILABLE');
    expect(handled).toBe(0);
  });
});

describe('NATS with TLS required', () => {
  let certs: TestCertificates;
  const broker = () => new NatsServerProcess({ tls: certs.files('nats') });
  let nats: NatsServerProcess;

  beforeAll(async () => {
    certs = TestCertificates.make(['nats']);
    nats = await broker().start();
  });
  afterAll(async () => {
    await nats.dispose();
    certs.dispose();
  });

  it('gives a client speaking the protocol in plain text nothing but the TLS offer', async () => {
    const socket = connectTcp(nats.port, '127.0.0.1');
    socket.once('data', () => socket.write('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\nSUB x 1\r\n'));
    await expect(answered(socket, (text) => text.includes('PONG'))).resolves.toBe('refused');
  });
});
