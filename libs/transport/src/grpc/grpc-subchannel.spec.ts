import { Client, connectivityState } from '@grpc/grpc-js';
import { InventoryV1 } from '@app/contracts';
import { loadTransportConfig } from '../config/transport-config';
import { channelOptions } from './grpc-channel';
import { GrpcSubchannel } from './grpc-subchannel';

/** A stand-in grpc-js client whose channel is in `state`; records the calls it was given. */
function fakeClient(state: connectivityState) {
  const calls: string[] = [];
  const client = {
    state,
    calls,
    getChannel: () => ({ getConnectivityState: () => client.state }),
    makeUnaryRequest: (path: string, _s: unknown, _d: unknown, _p: unknown, _m: unknown, _o: unknown, done: (e: null, r: unknown) => void) => {
      calls.push(path);
      done(null, {});
    },
    close: jest.fn(),
  };
  return client;
}

const call = {
  method: InventoryV1.methods.getStock,
  payload: { sku: 'SKU-1' },
  body: '{}',
  metadata: {},
  deadline: Date.now() + 1000,
};

describe('GrpcSubchannel (a pool of channels to one instance)', () => {
  it('reads GRPC_CHANNELS (default 4) and turns retries and channelz off', () => {
    expect(loadTransportConfig({}).grpcChannels).toBe(4);
    expect(loadTransportConfig({ GRPC_CHANNELS: '1' }).grpcChannels).toBe(1);
    expect(() => loadTransportConfig({ GRPC_CHANNELS: '0' })).toThrow(/GRPC_CHANNELS must be an integer between 1 and 64/);
    const options = channelOptions(loadTransportConfig({}));
    expect(options).toMatchObject({ 'grpc.enable_retries': 0, 'grpc.enable_channelz': 0, 'grpc.use_local_subchannel_pool': 1 });
    expect(channelOptions(loadTransportConfig({ GRPC_CHANNELS: '1' }))['grpc.use_local_subchannel_pool']).toBeUndefined();
  });

  it('is ready when one of its channels is, and sends in turn over the ready ones only', async () => {
    const clients = [fakeClient(connectivityState.READY), fakeClient(connectivityState.TRANSIENT_FAILURE), fakeClient(connectivityState.READY)];
    const subchannel = new GrpcSubchannel(clients as unknown as Client[]);
    expect(subchannel.state).toBe('ready');
    for (let i = 0; i < 6; i++) await subchannel.send(call as never);
    expect(clients.map((c) => c.calls.length)).toEqual([3, 0, 3]);
    subchannel.close();
    for (const client of clients) expect(client.close).toHaveBeenCalled();
  });

  it('is connecting while none is ready and one still connects, down when all failed', () => {
    const clients = [fakeClient(connectivityState.TRANSIENT_FAILURE), fakeClient(connectivityState.CONNECTING)];
    const subchannel = new GrpcSubchannel(clients as unknown as Client[]);
    expect(subchannel.state).toBe('connecting');
    clients[1].state = connectivityState.TRANSIENT_FAILURE;
    expect(subchannel.state).toBe('down');
  });
});
