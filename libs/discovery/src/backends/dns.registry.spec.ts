import { createSocket, Socket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { ServiceEndpoint } from '@app/transport';
import { loadDiscoveryConfig } from '../registry/discovery-config';
import { DnsRegistry } from './dns.registry';

/** Encodes a DNS name as labels. */
const encodeName = (name: string) =>
  Buffer.concat([...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);

/**
 * A tiny authoritative DNS server on UDP loopback that answers SRV questions from a table (the test changes the
 * table to play a Kubernetes headless Service whose pods come and go); anything else gets NXDOMAIN.
 */
class SrvServer {
  readonly records = new Map<string, { target: string; port: number }[]>();
  private socket?: Socket;
  port = 0;

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    socket.on('message', (query, peer) => socket.send(this.answer(query), peer.port, peer.address));
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    this.socket = socket;
    this.port = socket.address().port;
    return this;
  }

  stop(): void {
    this.socket?.close();
  }

  private answer(query: Buffer): Buffer {
    // The question starts at byte 12: labels, then type and class.
    let offset = 12;
    const labels: string[] = [];
    while (query[offset] !== 0) {
      labels.push(query.subarray(offset + 1, offset + 1 + query[offset]).toString());
      offset += query[offset] + 1;
    }
    const question = query.subarray(12, offset + 5);
    const type = query.readUInt16BE(offset + 1);
    const answers = type === 33 ? (this.records.get(labels.join('.').toLowerCase()) ?? []) : [];
    const found = this.records.has(labels.join('.').toLowerCase());
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8400 | (found ? 0 : 3), 2); // response, authoritative, NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records = answers.map(({ target, port }) => {
      const rdata = Buffer.concat([Buffer.from([0, 10, 0, 50, port >> 8, port & 0xff]), encodeName(target)]);
      const fixed = Buffer.alloc(10);
      fixed.writeUInt16BE(33, 0);
      fixed.writeUInt16BE(1, 2);
      fixed.writeUInt32BE(5, 4);
      fixed.writeUInt16BE(rdata.length, 8);
      return Buffer.concat([Buffer.from([0xc0, 12]), fixed, rdata]);
    });
    return Buffer.concat([header, question, ...records]);
  }
}

describe('DnsRegistry', () => {
  let dns: SrvServer;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    dns = await new SrvServer().start();
  });
  afterAll(() => dns.stop());

  const registry = (name: string) =>
    new DnsRegistry(
      loadDiscoveryConfig({ DISCOVERY: 'dns', DISCOVERY_DNS_NAME: name, DISCOVERY_DNS_REFRESH_MS: '100', DISCOVERY_DNS_SERVERS: `127.0.0.1:${dns.port}` }),
    );

  it('reads SRV records (a headless Service), follows pods coming and going, and keeps the last list while DNS fails', async () => {
    const name = '_rpc._tcp.inventory.shop.svc.cluster.local';
    dns.records.set(name, [
      { target: 'pod-a.inventory.shop.svc.cluster.local', port: 50052 },
      { target: 'pod-b.inventory.shop.svc.cluster.local', port: 50052 },
    ]);
    const r = registry('_rpc._tcp.{service}.shop.svc.cluster.local');
    let latest: readonly ServiceEndpoint[] = [];
    const stop = r.watch('inventory', (endpoints) => (latest = endpoints));
    for (let i = 0; i < 40 && latest.length !== 2; i++) await sleep(25);
    expect(latest.map((e) => e.address)).toEqual(['pod-a.inventory.shop.svc.cluster.local:50052', 'pod-b.inventory.shop.svc.cluster.local:50052']);
    expect(latest[0].versions).toBeUndefined();

    dns.records.set(name, [{ target: 'pod-c.inventory.shop.svc.cluster.local', port: 50052 }]);
    for (let i = 0; i < 40 && latest.length !== 1; i++) await sleep(25);
    expect(latest.map((e) => e.address)).toEqual(['pod-c.inventory.shop.svc.cluster.local:50052']);

    dns.records.delete(name); // NXDOMAIN: a failed lookup keeps what was known
    await sleep(300);
    expect(latest.map((e) => e.address)).toEqual(['pod-c.inventory.shop.svc.cluster.local:50052']);
    stop();
    await r.close();
  });

  it('reads every address of host:port names through the system resolver', async () => {
    const r = registry('localhost:{service}'.replace('{service}', '7777'));
    const records = await r.list('inventory');
    expect(records.map((x) => x.address)).toContain('127.0.0.1:7777');
    await r.close();
  });

  it('refuses a name that is neither an SRV name nor host:port', () => {
    expect(() => loadDiscoveryConfig({ DISCOVERY: 'dns', DISCOVERY_DNS_NAME: 'inventory.local' })).toThrow(/DISCOVERY_DNS_NAME/);
  });
});
