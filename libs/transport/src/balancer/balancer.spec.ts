import { z } from 'zod';
import { defineService, method } from '@app/contracts';
import type { OutboundCall } from '../driver/transport-driver';
import { RpcError, unavailable } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { Balancer, Subchannel, SubchannelState } from './balancer';
import type { ServiceEndpoint } from './service-endpoint';

const contract = (version: string) =>
  defineService({
    service: 'svc',
    version,
    grpcService: 'Svc',
    protoRoot: __dirname,
    protoFile: 'none.proto',
    methods: { ping: method({ name: 'Ping', request: z.object({}), response: z.object({}), requestType: 'P', responseType: 'P', idempotent: true }) },
  });
const V1 = contract('v1');
const V2 = contract('v2');
const callOf = (c: typeof V1): OutboundCall => ({ method: c.methods.ping, payload: {}, body: '{}', metadata: {}, deadline: Date.now() + 1000 });

class FakeSubchannel implements Subchannel {
  state: SubchannelState = 'ready';
  closed = false;
  fail?: RpcError;
  constructor(readonly address: string) {}
  async send(): Promise<unknown> {
    if (this.fail) throw this.fail;
    return { from: this.address };
  }
  close(): void {
    this.closed = true;
  }
}

const endpoint = (address: string, versions?: string[]): ServiceEndpoint => ({ instanceId: address, address, versions });

describe('Balancer', () => {
  const made = new Map<string, FakeSubchannel>();
  let slowStartMs = 0;
  const balancer = () =>
    new Balancer<FakeSubchannel>(
      { picker: 'round_robin', outlier: { consecutiveFailures: 2, baseEjectionMs: 60_000, maxEjectionMs: 60_000 }, slowStartMs },
      (e) => {
        const sub = new FakeSubchannel(e.address);
        made.set(e.address, sub);
        return sub;
      },
    );
  beforeEach(() => {
    made.clear();
    slowStartMs = 0;
  });

  it('follows endpoint updates: opens subchannels for new instances, closes those of gone ones', () => {
    const b = balancer();
    expect(b.update([endpoint('a:1'), endpoint('b:1')])).toBe(true);
    expect(b.update([endpoint('a:1'), endpoint('b:1')])).toBe(false);
    const gone = made.get('a:1')!;
    expect(b.update([endpoint('b:1'), endpoint('c:1')])).toBe(true);
    expect(gone.closed).toBe(true);
    expect(b.endpoints.map((e) => e.address)).toEqual(['b:1', 'c:1']);
  });

  it('lets the calls on a removed instance finish before closing its subchannel', async () => {
    const b = balancer();
    b.update([endpoint('a:1'), endpoint('b:1')]);
    const a = b.endpoints.find((e) => e.address === 'a:1')!;
    let answer!: (value: unknown) => void;
    made.get('a:1')!.send = () => new Promise((resolve) => (answer = resolve));
    const inFlight = b.send(a, callOf(V1));
    b.update([endpoint('b:1')]);
    expect(made.get('a:1')!.closed).toBe(false);
    answer({ from: 'a:1' });
    await expect(inFlight).resolves.toEqual({ from: 'a:1' });
    expect(made.get('a:1')!.closed).toBe(true);
  });

  it('slow start: an instance that joins later gets a small share at first, a full one after the window', async () => {
    slowStartMs = 60_000;
    const b = balancer();
    b.update([endpoint('a:1'), endpoint('b:1')]);
    b.update([endpoint('a:1'), endpoint('b:1'), endpoint('new:1')]);
    const count = () => Array.from({ length: 3000 }, () => b.pick('v1')!.address).filter((a) => a === 'new:1').length;
    const early = count();
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(3000 / 3 / 2);
    const joined = b.endpoints.find((e) => e.address === 'new:1')!;
    (joined as { joinedAt: number }).joinedAt = Date.now() - 60_000;
    const later = count();
    expect(later).toBeGreaterThan(900);
    expect(later).toBeLessThan(1100);
  });

  it('routes a call only to instances serving its contract version (unknown versions serve all)', async () => {
    const b = balancer();
    b.update([endpoint('old:1', ['v1']), endpoint('new:1', ['v1', 'v2']), endpoint('static:1')]);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(b.pick('v2')!.address);
    expect([...seen].sort()).toEqual(['new:1', 'static:1']);
    b.update([endpoint('old:1', ['v1'])]);
    expect(b.pick('v2')).toBeUndefined();
    expect(b.pick('v1')!.address).toBe('old:1');
    await expect(b.send(b.pick('v1')!, callOf(V1))).resolves.toEqual({ from: 'old:1' });
    expect(callOf(V2).method.contract.version).toBe('v2');
  });

  it('prefers ready instances, then ones still connecting, and none that are down', () => {
    const b = balancer();
    b.update([endpoint('a:1'), endpoint('b:1')]);
    made.get('a:1')!.state = 'connecting';
    for (let i = 0; i < 4; i++) expect(b.pick('v1')!.address).toBe('b:1');
    made.get('b:1')!.state = 'down';
    expect(b.pick('v1')!.address).toBe('a:1');
    made.get('a:1')!.state = 'down';
    expect(b.pick('v1')).toBeUndefined();
  });

  it('ejects an instance after consecutive UNAVAILABLE or DEADLINE_EXCEEDED, not after business errors', async () => {
    const b = balancer();
    b.update([endpoint('a:1'), endpoint('b:1')]);
    const a = b.endpoints.find((e) => e.address === 'a:1')!;
    made.get('a:1')!.fail = new RpcError(StatusCode.NOT_FOUND, 'no such thing');
    for (let i = 0; i < 3; i++) await b.send(a, callOf(V1)).catch(() => undefined);
    expect(b.outliers.isEjected('a:1')).toBe(false);
    made.get('a:1')!.fail = unavailable('gone');
    for (let i = 0; i < 2; i++) await b.send(a, callOf(V1)).catch(() => undefined);
    expect(b.outliers.isEjected('a:1')).toBe(true);
    for (let i = 0; i < 4; i++) expect(b.pick('v1')!.address).toBe('b:1');
    expect(a.outstanding).toBe(0);
    expect(a.sent).toBe(5);
  });
});
