import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The TLS material of one service: the CA it trusts (for the peers' and brokers' certificates), and its own
 * certificate and private key, which it shows as a server (gRPC, TCP) and as a client (to every peer and broker).
 * PEM contents, read once at start. `serverName` overrides the name a client checks the server's certificate
 * against (by default the host it connects to).
 */
export interface TransportTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  serverName?: string;
}

const FILE_VARS = ['TLS_CA_FILE', 'TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Reads TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE (PEM files; all three or none) and TLS_SERVER_NAME. `{service}`
 * in a path is replaced by `service` (every app may share one environment). Undefined when none is set: plain
 * connections. Throws a message naming the variable (and the path), never the files' contents: for a partial set,
 * an unreadable file, a file that is not PEM of the right kind, a key that does not belong to the certificate, or an expired certificate.
 */
export function loadTlsConfig(env: NodeJS.ProcessEnv = process.env, service?: string): TransportTls | undefined {
  const paths = FILE_VARS.map((name) => pathOf(env, name, service));
  const serverName = env.TLS_SERVER_NAME?.trim() || undefined;
  const set = FILE_VARS.filter((_, i) => paths[i] !== undefined);
  if (set.length === 0) {
    if (serverName !== undefined) throw new Error(`TLS_SERVER_NAME is set, but not ${FILE_VARS.join(', ')}`);
    return undefined;
  }
  if (set.length < FILE_VARS.length) {
    const missing = FILE_VARS.filter((name) => !set.includes(name));
    throw new Error(`TLS: ${FILE_VARS.join(', ')} go together; ${set.join(', ')} set but ${missing.join(', ')} missing`);
  }
  if (serverName !== undefined && !HOST_NAME.test(serverName)) {
    throw new Error(`TLS_SERVER_NAME must be a DNS name, got "${serverName}"`);
  }
  const [caPath, certPath, keyPath] = paths as string[];
  const ca = readPem('TLS_CA_FILE', caPath);
  const cert = readPem('TLS_CERT_FILE', certPath);
  const key = readPem('TLS_KEY_FILE', keyPath);
  checkMaterial(ca, cert, key, { ca: caPath, cert: certPath, key: keyPath });
  return { ca, cert, key, ...(serverName && { serverName }) };
}

function pathOf(env: NodeJS.ProcessEnv, name: string, service: string | undefined): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!raw.includes('{service}')) return raw;
  if (!service) throw new Error(`${name} contains {service}, but no service name is known here`);
  return raw.replaceAll('{service}', service);
}

function readPem(name: string, path: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${name}: cannot read "${path}" (${code ?? 'unreadable'})`);
  }
  if (!content.includes('-----BEGIN ')) throw new Error(`${name}: "${path}" is not a PEM file`);
  return content;
}

/** Parses the material so a wrong file fails at start, with the variable named, not at the first connection. */
function checkMaterial(ca: Buffer, cert: Buffer, key: Buffer, paths: { ca: string; cert: string; key: string }): void {
  parseCertificate('TLS_CA_FILE', paths.ca, ca);
  const certificate = parseCertificate('TLS_CERT_FILE', paths.cert, cert);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`TLS_KEY_FILE: "${paths.key}" is not a PEM private key (or it is encrypted)`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`TLS_KEY_FILE: "${paths.key}" is not the private key of the certificate in TLS_CERT_FILE ("${paths.cert}")`);
  }
  if (Date.parse(certificate.validTo) < Date.now()) {
    throw new Error(`TLS_CERT_FILE: the certificate in "${paths.cert}" expired on ${certificate.validTo}`);
  }
}

function parseCertificate(name: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Error(`${name}: "${path}" is not a PEM certificate`);
  }
}
