import { Client, connectivityState } from '@grpc/grpc-js';
import type { MethodRef } from '@app/contracts';
import type { Subchannel, SubchannelState } from '../balancer/balancer';
import type { OutboundCall } from '../driver/transport-driver';
import { RpcError } from '../status/rpc-error';
import { toGrpcMetadata } from './grpc-metadata';
import { MethodCodec, methodCodec } from './grpc-proto';
import { fromServiceError } from './grpc-status';

/** Codecs by gRPC path, shared by every channel: a contract's methods never change. */
const codecs = new Map<string, MethodCodec>();

function codecOf(method: MethodRef): MethodCodec {
  let codec = codecs.get(method.grpcPath);
  if (!codec) {
    codec = methodCodec(method);
    codecs.set(method.grpcPath, codec);
  }
  return codec;
}

/**
 * The gRPC channels to one instance (or to one DNS name, balanced by grpc-js over the addresses it resolves to):
 * one or more (GRPC_CHANNELS), each with its own HTTP/2 connection, taking calls in turn; a channel that is not
 * ready is skipped while another one is. Calls are unary with the call's deadline and no wait-for-ready: when no
 * channel can connect they fail fast with UNAVAILABLE.
 */
export class GrpcSubchannel implements Subchannel {
  private readonly clients: readonly Client[];
  private next = 0;

  constructor(clients: Client | readonly Client[]) {
    this.clients = Array.isArray(clients) ? clients : [clients as Client];
    if (this.clients.length === 0) throw new Error('a gRPC subchannel needs at least one channel');
  }

  get state(): SubchannelState {
    let connecting = false;
    for (const client of this.clients) {
      // Asking with `true` starts connecting an idle channel (idle after a while without calls, or a lost peer).
      const state = client.getChannel().getConnectivityState(true);
      if (state === connectivityState.READY) return 'ready';
      if (state === connectivityState.IDLE || state === connectivityState.CONNECTING) connecting = true;
    }
    return connecting ? 'connecting' : 'down';
  }

  /** Resolves true when a channel's state changes, false if none has by `deadline`. */
  stateChange(deadline: number): Promise<boolean> {
    const watches: Promise<boolean>[] = [];
    for (const client of this.clients) {
      const channel = client.getChannel();
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.SHUTDOWN) continue;
      watches.push(new Promise((resolve) => channel.watchConnectivityState(state, deadline, (error) => resolve(!error))));
    }
    if (watches.length === 0) return Promise.resolve(false);
    return watches.length === 1 ? watches[0] : Promise.race(watches);
  }

  send(call: OutboundCall): Promise<unknown> {
    let codec: MethodCodec;
    try {
      codec = codecOf(call.method);
    } catch (error) {
      return Promise.reject(RpcError.from(error));
    }
    const metadata = toGrpcMetadata(call.metadata);
    const client = this.pickClient();
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        call.method.grpcPath,
        codec.serialize,
        codec.deserialize,
        call.payload,
        metadata,
        { deadline: call.deadline },
        (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
      );
    });
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  /** The next channel in turn that is ready; the next one in turn when none is (its call then fails fast). */
  private pickClient(): Client {
    const { clients } = this;
    const count = clients.length;
    const first = this.next;
    this.next = (first + 1) % count;
    if (count === 1) return clients[0];
    for (let i = 0; i < count; i++) {
      const index = (first + i) % count;
      if (clients[index].getChannel().getConnectivityState(false) === connectivityState.READY) {
        this.next = (index + 1) % count;
        return clients[index];
      }
    }
    return clients[first];
  }
}
