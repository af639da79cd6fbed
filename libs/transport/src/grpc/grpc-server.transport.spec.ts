import { Logger } from '@nestjs/common';
import { createServer, Server as NetServer } from 'node:net';
import { InventoryV1 } from '@app/contracts';
import { loadTransportConfig } from '../config/transport-config';
import { GrpcServerTransport } from './grpc-server.transport';

function occupy(): Promise<{ net: NetServer; address: string }> {
  return new Promise((resolve) => {
    const net = createServer();
    net.listen(0, '127.0.0.1', () => resolve({ net, address: `127.0.0.1:${(net.address() as { port: number }).port}` }));
  });
}

describe('GrpcServerTransport.listen', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined); // grpc-js logs each failed bind itself
  });
  afterEach(() => jest.restoreAllMocks());

  it('waits, with a log line, while its address is taken, and listens once it is free', async () => {
    const { net, address } = await occupy();
    const server = new GrpcServerTransport(loadTransportConfig({ TRANSPORT: 'grpc' }, { listen: address }), [InventoryV1]);
    let listening = false;
    const listen = server.listen(async () => ({})).then(() => (listening = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listening).toBe(false);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(expect.stringContaining(`cannot listen on ${address}`));
    await new Promise((resolve) => net.close(resolve));
    await listen;
    expect(listening).toBe(true);
    await server.close();
  });

  it('stops retrying when closed before it could listen', async () => {
    const { net, address } = await occupy();
    const server = new GrpcServerTransport(loadTransportConfig({ TRANSPORT: 'grpc' }, { listen: address }), [InventoryV1]);
    const listen = server.listen(async () => ({}));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    await listen;
    await new Promise((resolve) => net.close(resolve));
  });
});
