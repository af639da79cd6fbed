import { ChannelCredentials, ChannelOptions, credentials, ServerCredentials } from '@grpc/grpc-js';
import type { TransportConfig } from '../config/transport-config';

/**
 * Protobuf can take up to 4x the bytes of the same message's JSON (packed doubles, negative ints), and payload
 * limits are measured as JSON: gRPC's own message limits are a memory guard this far above the JSON limit.
 */
const PROTOBUF_HEADROOM = 4;
const GUARD_MARGIN_BYTES = 64 * 1024;

export const messageSizeGuard = (config: TransportConfig) => config.maxPayloadBytes * PROTOBUF_HEADROOM + GUARD_MARGIN_BYTES;

/**
 * Plain text without TLS material; with it, mutual TLS: the server shows its certificate and requires a client
 * certificate signed by the CA (no certificate, another CA's or an expired one: the handshake fails, and plain
 * text is not spoken at all).
 */
export function serverCredentials(config: TransportConfig): ServerCredentials {
  const { tls } = config;
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** With TLS material: trust only the CA, and show this service's certificate to the server. */
export function channelCredentials(config: TransportConfig): ChannelCredentials {
  const { tls } = config;
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.key, tls.cert);
}

/**
 * grpc-js features Switchboard does not use, off because they cost CPU on every call: channelz bookkeeping (the
 * debug service is not exposed), and grpc-js's own retry machinery (each call wrapped in a RetryingCall that
 * buffers its messages; retries are the client chain's job, which knows what is idempotent).
 */
const LEAN_OPTIONS: ChannelOptions = { 'grpc.enable_channelz': 0 };

export function serverOptions(config: TransportConfig): ChannelOptions {
  const guard = messageSizeGuard(config);
  return { ...LEAN_OPTIONS, 'grpc.max_receive_message_length': guard, 'grpc.max_send_message_length': guard };
}

/**
 * The options of each channel to an instance (GRPC_CHANNELS of them, each on its own HTTP/2 connection when
 * there are several); a DNS name that resolves to several addresses is balanced round robin inside a channel.
 * Reconnects quickly after a restart.
 */
export function channelOptions(config: TransportConfig): ChannelOptions {
  const guard = messageSizeGuard(config);
  return {
    ...LEAN_OPTIONS,
    'grpc.enable_retries': 0,
    'grpc.max_receive_message_length': guard,
    'grpc.max_send_message_length': guard,
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
    // Channels with the same target and options share one connection in grpc-js's global subchannel pool: a pool
    // of channels needs each its own.
    ...(config.grpcChannels > 1 && { 'grpc.use_local_subchannel_pool': 1 }),
    ...(config.tls?.serverName && {
      'grpc.ssl_target_name_override': config.tls.serverName,
      'grpc.default_authority': config.tls.serverName,
    }),
  };
}
