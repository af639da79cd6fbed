import { ChannelCredentials, ChannelOptions, credentials, ServerCredentials } from '@grpc/grpc-js';
import type { TransportConfig } from '../config/transport-config';

/**
 * Protobuf can take up to 4x the bytes of the same message's JSON (packed doubles, negative ints), and payload
 * limits are measured as JSON: gRPC's own message limits are a memory guard this far above the JSON limit.
 */
const PROTOBUF_HEADROOM = 4;
const GUARD_MARGIN_BYTES = 64 * 1024;

export const messageSizeGuard = (config: TransportConfig) => config.maxPayloadBytes * PROTOBUF_HEADROOM + GUARD_MARGIN_BYTES;

/** Plain-text for now; the one place where TLS (mTLS between services) will come in. */
export function serverCredentials(_config: TransportConfig): ServerCredentials {
  return ServerCredentials.createInsecure();
}

export function channelCredentials(_config: TransportConfig): ChannelCredentials {
  return credentials.createInsecure();
}

export function serverOptions(config: TransportConfig): ChannelOptions {
  const guard = messageSizeGuard(config);
  return { 'grpc.max_receive_message_length': guard, 'grpc.max_send_message_length': guard };
}

/** Round robin over every address (and every IP a DNS name resolves to); reconnects quickly after a restart. */
export function channelOptions(config: TransportConfig): ChannelOptions {
  const guard = messageSizeGuard(config);
  return {
    'grpc.max_receive_message_length': guard,
    'grpc.max_send_message_length': guard,
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
  };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}:\d+$/;
const IPV6 = /^\[[0-9a-fA-F:]+\]:\d+$/;

/**
 * The channel target of a service's addresses: one address as is (a DNS name may resolve to several
 * instances); several as a static list, which gRPC only takes as IP literals of one family.
 */
export function channelTarget(service: string, addresses: readonly string[] | undefined): string {
  if (!addresses?.length) throw new Error(`no gRPC address configured for service "${service}"`);
  if (addresses.length === 1) return addresses[0];
  if (addresses.every((a) => IPV4.test(a))) return `ipv4:${addresses.join(',')}`;
  if (addresses.every((a) => IPV6.test(a))) return `ipv6:${addresses.join(',')}`;
  throw new Error(
    `gRPC addresses of "${service}" must be IP literals of one family to balance over several (got ${addresses.join(',')}); ` +
      'use one DNS name that resolves to every instance instead',
  );
}
