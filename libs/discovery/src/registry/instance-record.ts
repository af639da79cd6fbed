import { z } from 'zod';
import type { ServiceEndpoint } from '@app/transport';

/** What the registry holds about one running instance (JSON in NATS KV and Redis). */
export const InstanceRecordSchema = z.object({
  service: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  instanceId: z.string().min(1).max(200),
  /** Contract versions it serves: `v1`, `v2`; absent when not known (static and DNS lists): any version. */
  versions: z.array(z.string().regex(/^v\d+[a-z0-9]*$/)).max(32).optional(),
  transport: z.string().max(16),
  /** host:port clients reach it at, on tcp/grpc. */
  address: z.string().max(300).optional(),
  zone: z.string().max(64).optional(),
  startedAt: z.number().int(),
  /** This instance's clock at its last heartbeat (informational: expiry never compares clocks of two hosts). */
  heartbeatAt: z.number().int(),
  /** Calls handled so far and in flight at the last heartbeat. */
  handled: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
});

export type InstanceRecord = z.infer<typeof InstanceRecordSchema>;

/** Parses a record read from a registry; undefined for anything malformed (never trusted as is). */
export function parseInstanceRecord(text: string): InstanceRecord | undefined {
  try {
    const parsed = InstanceRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoints clients balance over: the instances with an address (tcp/grpc), sorted for stable comparison. */
export function endpointsOf(records: Iterable<InstanceRecord>): ServiceEndpoint[] {
  const endpoints: ServiceEndpoint[] = [];
  for (const record of records) {
    if (!record.address) continue;
    endpoints.push({ instanceId: record.instanceId, address: record.address, versions: record.versions, zone: record.zone });
  }
  return endpoints.sort((a, b) => a.address.localeCompare(b.address) || a.instanceId.localeCompare(b.instanceId));
}
