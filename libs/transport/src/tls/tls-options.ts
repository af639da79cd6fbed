import { isIP } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { TransportTls } from './tls-config';

/** How long a server waits for a client to finish the TLS handshake. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * node:tls server options for mutual TLS: the service's certificate, and a client certificate signed by the CA
 * required (no certificate, another CA's, an expired one: the handshake fails).
 */
export function mutualTlsServerOptions(tls: TransportTls): TlsOptions {
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/**
 * node:tls client options: trust only the CA, show the service's certificate, and check the server's certificate
 * against `serverName` if set, else the host connected to (a DNS name or an IP address).
 */
export function tlsClientOptions(tls: TransportTls, host?: string): ConnectionOptions {
  const servername = tls.serverName ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(servername !== undefined && { servername }),
  };
}
