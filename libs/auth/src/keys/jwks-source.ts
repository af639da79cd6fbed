import { readFile, stat } from 'node:fs/promises';

/** Where the trusted public keys come from: `load` resolves with the JWKS text or rejects with a short reason. */
export interface JwksSource {
  /** For logs: the file, or the URL's origin and path (never its credentials or query). */
  readonly description: string;
  /** Whether a service may start without it (a URL may come up after the service). */
  readonly requiredAtStart: boolean;
  load(): Promise<string>;
}

export const MAX_JWKS_BYTES = 256 * 1024;
const FETCH_TIMEOUT_MS = 5000;

export function fileJwksSource(path: string): JwksSource {
  return {
    description: `file ${path}`,
    requiredAtStart: true,
    async load() {
      const info = await stat(path);
      if (info.size > MAX_JWKS_BYTES) throw new Error(`over ${MAX_JWKS_BYTES} bytes`);
      return readFile(path, 'utf8');
    },
  };
}

/** Fetches the JWKS with the global fetch: 5 s timeout, 256 KiB at most, status 200 only. */
export function urlJwksSource(url: string): JwksSource {
  const parsed = new URL(url);
  const description = `${parsed.origin}${parsed.pathname}`;
  return {
    description,
    requiredAtStart: false,
    async load() {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      return readCapped(response);
    },
  };
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_JWKS_BYTES) {
    await response.body?.cancel();
    throw new Error(`over ${MAX_JWKS_BYTES} bytes`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new Error(`over ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
