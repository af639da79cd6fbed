import type { Client } from '@grpc/grpc-js';
import type { MethodRef } from '@app/contracts';
import type { ClientTransport, OutboundCall } from '../driver/transport-driver';
import { RpcError, unavailable } from '../status/rpc-error';
import { toGrpcMetadata } from './grpc-metadata';
import { MethodCodec, methodCodec } from './grpc-proto';
import { fromServiceError } from './grpc-status';

/**
 * Sends calls of one contract as gRPC unary calls on the service's channel (shared, owned by the driver).
 * gRPC enforces the deadline and fails fast with UNAVAILABLE while no instance is reachable (no wait-for-ready).
 */
export class GrpcClientTransport implements ClientTransport {
  private readonly codecs = new Map<string, MethodCodec>();
  private closed = false;

  constructor(private readonly channel: Client) {}

  send(call: OutboundCall): Promise<unknown> {
    if (this.closed) return Promise.reject(unavailable('client closed'));
    let codec: MethodCodec;
    try {
      codec = this.codec(call.method);
    } catch (error) {
      return Promise.reject(RpcError.from(error));
    }
    const metadata = toGrpcMetadata(call.metadata);
    return new Promise((resolve, reject) => {
      this.channel.makeUnaryRequest(
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

  async close(): Promise<void> {
    this.closed = true;
  }

  private codec(method: MethodRef): MethodCodec {
    let codec = this.codecs.get(method.grpcPath);
    if (!codec) {
      codec = methodCodec(method);
      this.codecs.set(method.grpcPath, codec);
    }
    return codec;
  }
}
