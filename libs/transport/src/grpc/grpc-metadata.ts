import { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import type { Metadata } from '../metadata/metadata';

/** Headers that gRPC itself sends; they are not the caller's metadata. */
const TRANSPORT_HEADERS = new Set(['user-agent']);

/** Call metadata as gRPC Metadata (keys and values are already validated ASCII by the client). */
export function toGrpcMetadata(metadata: Metadata): GrpcMetadata {
  const out = new GrpcMetadata();
  for (const key in metadata) out.set(key, metadata[key]);
  return out;
}

/** The caller's metadata from received gRPC Metadata: text entries only, without `grpc-*` and transport headers. */
export function fromGrpcMetadata(metadata: GrpcMetadata): Metadata {
  const map = metadata.getMap();
  const out: Metadata = {};
  for (const key in map) {
    const value = map[key];
    if (typeof value === 'string' && !key.startsWith('grpc-') && !TRANSPORT_HEADERS.has(key)) out[key] = value;
  }
  return out;
}
