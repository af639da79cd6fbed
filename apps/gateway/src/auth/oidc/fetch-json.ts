import { fetchable } from './oidc-config';

/** Limits of every document fetched from the provider (discovery document, JWKS). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
export const FETCH_TIMEOUT_MS = 5000;

/** A URL as logs show it: origin and path, never credentials or a query. */
export const describeUrl = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

/**
 * GETs a JSON document: https only when `httpsOnly`; status 200 only; redirects refused (they could leave https);
 * at most MAX_DOCUMENT_BYTES, within `timeoutMs`. Rejects with a short reason naming the URL without its query.
 */
export async function fetchJson(url: string, httpsOnly: boolean, timeoutMs = FETCH_TIMEOUT_MS): Promise<unknown> {
  const where = describeUrl(url);
  if (!fetchable(new URL(url), httpsOnly)) throw new Error(`${where}: only https URLs are fetched in production`);
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal });
  } catch {
    throw new Error(`${where}: ${signal.aborted ? `no answer within ${timeoutMs} ms` : 'cannot be fetched'}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${where}: HTTP ${response.status}`);
  }
  const text = await readCapped(response, where);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${where}: not JSON`);
  }
}

async function readCapped(response: Response, where: string): Promise<string> {
  const tooLarge = `${where}: larger than ${MAX_DOCUMENT_BYTES} bytes`;
  if (Number(response.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
    await response.body?.cancel();
    throw new Error(tooLarge);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const chunk = await reader.read().catch(() => {
      throw new Error(`${where}: the answer was cut off or too slow`);
    });
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel();
      throw new Error(tooLarge);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
