import { connect, createServer, Server } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { defineService, method } from '@app/contracts';
import { loadTransportConfig } from '../config/transport-config';
import type { InboundCall, OutboundCall } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { encodeFrame } from './frame-codec';
import { TcpDriver } from './tcp.driver';

const Text = z.object({ text: z.string() });
const Svc = defineService({
  service: 'tcpspec',
  version: 'v1',
  grpcService: 'TcpSpec',
  protoRoot: __dirname,
  protoFile: 'none.proto',
  methods: {
    echo: method({ name: 'Echo', request: Text, response: Text, requestType: 'T', responseType: 'T', idempotent: true }),
  },
});
const LIMIT = 4096;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const call = (body: string, timeoutMs = 2000): OutboundCall => ({
  method: Svc.methods.echo,
  payload: undefined,
  body,
  metadata: { 'x-test': 'yes' },
  deadline: Date.now() + timeoutMs,
});

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(() => new Error('expected a rejection'), (e: unknown) => e);
  if (!(error instanceof RpcError)) throw error;
  return error;
}

describe('TcpDriver', () => {
  let address: string;
  let driver: TcpDriver;
  let seen: InboundCall[];
  const open: Server[] = [];

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    address = `127.0.0.1:${await freePort()}`;
    const overrides = { maxPayloadBytes: LIMIT, addresses: { tcpspec: [address] } };
    driver = new TcpDriver(loadTransportConfig({ TRANSPORT: 'tcp' }, overrides));
    seen = [];
  });

  afterEach(async () => {
    await driver.close();
    for (const server of open.splice(0)) server.close();
  });

  async function serve(work: (call: InboundCall) => Promise<unknown> = async (c) => c.payload) {
    const server = driver.server([Svc]);
    await server.listen((inbound) => {
      seen.push(inbound);
      return work(inbound);
    });
    return server;
  }

  it('carries method, metadata and payload, and the reply', async () => {
    await serve();
    await expect(driver.client(Svc).send(call('{"text":"hi ✓"}'))).resolves.toEqual({ text: 'hi ✓' });
    expect(seen).toEqual([{ method: 'tcpspec.v1.Echo', payload: { text: 'hi ✓' }, metadata: { 'x-test': 'yes' } }]);
  });

  it('refuses an over-limit payload in a frame under the frame limit, and keeps the connection', async () => {
    await serve();
    const client = driver.client(Svc);
    const body = `{"text":"${'x'.repeat(LIMIT * 1.5)}"}`;
    const error = await rejection(client.send(call(body)));
    expect(error.code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(error.details).toEqual({ size: body.length, limit: LIMIT });
    await expect(client.send(call('{"text":"ok"}'))).resolves.toEqual({ text: 'ok' });
    expect(seen).toHaveLength(1);
  });

  it('refuses a frame over the frame limit without buffering it, and keeps the connection', async () => {
    await serve();
    const client = driver.client(Svc);
    const huge = `{"text":"${'x'.repeat(LIMIT + 80 * 1024)}"}`;
    expect((await rejection(client.send(call(huge)))).code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    await expect(client.send(call('{"text":"ok"}'))).resolves.toEqual({ text: 'ok' });
    expect(seen).toHaveLength(1);
  });

  it('closes a connection that sends an oversized frame with no request id', async () => {
    await serve();
    const [host, port] = address.split(':');
    const socket = connect(Number(port), host);
    await once(socket, 'connect');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(10 * 1024 * 1024);
    socket.write(Buffer.concat([header, Buffer.from('x'.repeat(100))]));
    await once(socket, 'close');
  });

  it('fails calls in flight with UNAVAILABLE when the connection drops', async () => {
    const [host, port] = address.split(':');
    const rude = createServer((socket) => socket.once('data', () => socket.destroy()));
    open.push(rude);
    await new Promise<void>((resolve) => rude.listen(Number(port), host, resolve));
    const error = await rejection(driver.client(Svc).send(call('{"text":"x"}')));
    expect(error.code).toBe(StatusCode.UNAVAILABLE);
    expect(error.message).toContain(`tcpspec at ${address}`);
  });

  it('fails at once with UNAVAILABLE when nothing listens', async () => {
    const started = Date.now();
    expect((await rejection(driver.client(Svc).send(call('{}', 5000)))).code).toBe(StatusCode.UNAVAILABLE);
    expect((await rejection(driver.client(Svc).send(call('{}', 5000)))).code).toBe(StatusCode.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects listen clearly when the port is taken', async () => {
    const [host, port] = address.split(':');
    const squatter = createServer();
    open.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(Number(port), host, resolve));
    await expect(serve()).rejects.toThrow(`tcp: cannot listen for tcpspec on ${address}`);
  });

  it('on close lets calls in flight finish, and turns new calls away at once', async () => {
    const server = await serve(async (c) => (await sleep(300), c.payload));
    const client = driver.client(Svc);
    const inFlight = client.send(call('{"text":"slow"}'));
    await sleep(50);
    const closing = server.close();
    await sleep(50);
    const started = Date.now();
    expect((await rejection(client.send(call('{"text":"late"}')))).code).toBe(StatusCode.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(100);
    await expect(inFlight).resolves.toEqual({ text: 'slow' });
    await closing;
  });

  it('leaves no sockets or timers behind after close, and never reconnects', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const before = { timers: count('Timeout'), sockets: count('TCPSocketWrap'), servers: count('TCPServerWrap') };
    await serve();
    const client = driver.client(Svc);
    await client.send(call('{"text":"x"}'));
    expect(count('TCPSocketWrap')).toBeGreaterThan(before.sockets);
    await driver.close();
    await sleep(20);
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.sockets);
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(before.servers);

    const [host, port] = address.split(':');
    let connections = 0;
    const watcher = createServer((socket) => (connections++, socket.destroy()));
    open.push(watcher);
    await new Promise<void>((resolve) => watcher.listen(Number(port), host, resolve));
    await sleep(400);
    expect(connections).toBe(0);
  });
});
