import { CliError } from './cli-error';

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** An HTTP request with a timeout; an unreachable app is a CliError naming the URL. */
export async function fetchJson(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(error);
    throw new CliError(`cannot reach ${url}: ${reason}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body };
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
