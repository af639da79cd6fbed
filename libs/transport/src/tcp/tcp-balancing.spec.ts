import { createServer } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { defineService, method, ServiceContract } from '@app/contracts';
import type { EndpointSource, ServiceEndpoint } from '../balancer/service-endpoint';
import { loadTransportConfig } from '../config/transport-config';
import type { OutboundCall, ServerTransport } from '../driver/transport-driver';
import { RpcError, unavailable } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { TcpDriver } from './tcp.driver';

const contract = (version: string) =>
  defineService({
    service: 'lbspec',
    version,
    grpcService: 'LbSpec',
    protoRoot: __dirname,
    protoFile: 'none.proto',
    methods: { who: method({ name: 'Who', request: z.object({}), response: z.object({ name: z.string() }), requestType: 'W', responseType: 'W', idempotent: true }) },
  });
const V1 = contract('v1');
const V2 = contract('v2');

/** The registry's side of the test: the endpoint list the test sets, pushed to the driver like a registry does. */
class ListSource implements EndpointSource {
  private listener?: (endpoints: readonly ServiceEndpoint[]) => void;
  private endpoints: ServiceEndpoint[] = [];
  set(endpoints: ServiceEndpoint[]) {
    this.endpoints = endpoints;
    this.listener?.(endpoints);
  }
  watch(_service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void) {
    this.listener = listener;
    listener(this.endpoints);
    return () => (this.listener = undefined);
  }
}

async function freeAddress(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

const call = (c: ServiceContract, timeoutMs = 1000): OutboundCall => ({
  method: c.methods.who,
  payload: {},
  body: '{}',
  metadata: {},
  deadline: Date.now() + timeoutMs,
});

describe('TcpDriver balancing over an endpoint list', () => {
  const servers: ServerTransport[] = [];
  const drivers: TcpDriver[] = [];
  let source: ListSource;
  let client: TcpDriver;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    source = new ListSource();
    client = new TcpDriver(loadTransportConfig({ TRANSPORT: 'tcp', OUTLIER_CONSECUTIVE_FAILURES: '3', LB_SLOW_START_MS: '0' }), source);
    drivers.push(client);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(drivers.splice(0).map((d) => d.close()));
  });

  /** An instance named `name` on a free port, answering with its name (or with what `answer` says). */
  async function instance(name: string, versions?: string[], answer: () => Promise<unknown> = async () => ({ name })): Promise<ServiceEndpoint> {
    const address = await freeAddress();
    const driver = new TcpDriver(loadTransportConfig({ TRANSPORT: 'tcp', RPC_LISTEN: address }));
    drivers.push(driver);
    const server = driver.server([V1]);
    await server.listen(answer);
    servers.push(server);
    return { instanceId: name, address, versions };
  }

  async function spread(c: ServiceContract, calls: number): Promise<Record<string, number>> {
    const transport = client.client(c);
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < calls / 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => transport.send(call(c)).catch((e: RpcError) => ({ name: StatusCode[e.code] }))));
      for (const reply of replies as { name: string }[]) counts[reply.name] = (counts[reply.name] ?? 0) + 1;
    }
    return counts;
  }

  it('spreads calls over every instance, follows one joining and one leaving', async () => {
    const [a, b, c] = [await instance('a'), await instance('b'), await instance('c')];
    source.set([a, b, c]);
    const first = await spread(V1, 300);
    expect(Object.keys(first).sort()).toEqual(['a', 'b', 'c']);
    for (const n of Object.values(first)) expect(n).toBeGreaterThan(50);

    const d = await instance('d');
    source.set([a, b, c, d]);
    await sleep(100);
    const joined = await spread(V1, 200);
    expect(joined.d).toBeGreaterThan(20);

    source.set([b, c, d]);
    const left = await spread(V1, 100);
    expect(left.a).toBeUndefined();
    expect(left.b! + left.c! + left.d!).toBe(100);
  });

  it('sends a call only to instances that serve its contract version', async () => {
    const old = await instance('old', ['v1']);
    const both = await instance('both', ['v1', 'v2']);
    source.set([old, both]);
    expect(await spread(V2, 50)).toEqual({ both: 50 });
    const v1 = await spread(V1, 100);
    expect(v1.old).toBeGreaterThan(20);
    source.set([old]);
    const error = await client.client(V2).send(call(V2)).catch((e: RpcError) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(StatusCode.UNAVAILABLE);
    expect((error as RpcError).message).toMatch(/no instance of lbspec serving v2 \(1 serve other versions\)/);
  });

  it('ejects an instance that keeps failing with UNAVAILABLE, and takes it back after the ejection', async () => {
    let broken = true;
    const sick = await instance('sick', undefined, async () => {
      if (broken) throw unavailable('overloaded');
      return { name: 'sick' };
    });
    const well = await instance('well');
    source.set([sick, well]);
    const counts = await spread(V1, 200);
    // 3 consecutive failures eject it; only those calls (and ones already on their way) reach it.
    expect(counts.UNAVAILABLE).toBeLessThanOrEqual(12);
    expect(counts.well).toBeGreaterThanOrEqual(188);
    broken = false;
    await sleep(1100); // the first ejection lasts OUTLIER_BASE_EJECTION_MS (1 s)
    const after = await spread(V1, 100);
    expect(after.sick).toBeGreaterThan(20);
  });

  it('waits for the first endpoint list (a registry answers a moment later) instead of failing', async () => {
    const a = await instance('a');
    const late = new (class implements EndpointSource {
      watch(_service: string, listener: (endpoints: readonly ServiceEndpoint[]) => void) {
        setTimeout(() => listener([a]), 150);
        return () => undefined;
      }
    })();
    const driver = new TcpDriver(loadTransportConfig({ TRANSPORT: 'tcp' }), late);
    drivers.push(driver);
    await expect(driver.client(V1).send(call(V1))).resolves.toEqual({ name: 'a' });
    const silent = new TcpDriver(loadTransportConfig({ TRANSPORT: 'tcp' }), { watch: () => () => undefined });
    drivers.push(silent);
    const error = await silent.client(V1).send(call(V1, 200)).catch((e: RpcError) => e);
    expect((error as RpcError).code).toBe(StatusCode.DEADLINE_EXCEEDED);
  });

  it('never ejects every instance: with all of them failing, calls still reach them', async () => {
    const x = await instance('x', undefined, async () => Promise.reject(unavailable('down')));
    const y = await instance('y', undefined, async () => Promise.reject(unavailable('down')));
    source.set([x, y]);
    const counts = await spread(V1, 60);
    expect(counts).toEqual({ UNAVAILABLE: 60 });
    const sent = client.balanced('lbspec').map((e) => e.sent);
    expect(sent).toHaveLength(2);
    expect(sent.every((n) => n > 10)).toBe(true);
    expect(sent[0] + sent[1]).toBe(60);
  });
});
