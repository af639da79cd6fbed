import { hostname } from 'node:os';

const ANY_HOST = /^(0\.0\.0\.0|\[::\]|::):(\d+)$/;

/**
 * Where other instances reach this one: RPC_ADVERTISE if set; else the listen address, with a wildcard host
 * (`0.0.0.0`, `[::]`, as in a container) replaced by this host's name.
 */
export function advertisedAddress(listen: string | undefined, advertise: string | undefined, host = hostname()): string | undefined {
  if (advertise) return advertise;
  if (!listen) return undefined;
  const wildcard = ANY_HOST.exec(listen);
  return wildcard ? `${host}:${wildcard[2]}` : listen;
}
