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
 * One gRPC channel to one instance (or to one DNS name, balanced by grpc-js over the addresses it resolves to).
 * Calls are unary with the call's deadline and no wait-for-ready: a channel that cannot connect fails them fast
 * with UNAVAILABLE.
 */
export class GrpcSubchannel implements Subchannel {
  constructor(readonly client: Client) {}

  get state(): SubchannelState {
    // Asking with `true` starts connecting an idle channel (idle after a while without calls, or a lost peer).
    const state = this.client.getChannel().getConnectivityState(true);
    if (state === connectivityState.READY) return 'ready';
    if (state === connectivityState.IDLE || state === connectivityState.CONNECTING) return 'connecting';
    return 'down';
  }

  /** Resolves true when the channel's state changes, false if it has not by `deadline`. */
  stateChange(deadline: number): Promise<boolean> {
    const channel = this.client.getChannel();
    const state = channel.getConnectivityState(true);
    if (state === connectivityState.SHUTDOWN) return Promise.resolve(false);
    return new Promise((resolve) => channel.watchConnectivityState(state, deadline, (error) => resolve(!error)));
  }

  send(call: OutboundCall): Promise<unknown> {
    let codec: MethodCodec;
    try {
      codec = codecOf(call.method);
    } catch (error) {
      return Promise.reject(RpcError.from(error));
    }
    const metadata = toGrpcMetadata(call.metadata);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
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
    this.client.close();
  }
}
