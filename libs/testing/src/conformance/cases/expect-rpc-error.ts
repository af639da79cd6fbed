import { RpcError, StatusCode } from '@app/transport';

/** Awaits a call that must fail with an RpcError of `code`; returns the error for further checks. */
export async function expectRpcError(call: Promise<unknown>, code: StatusCode): Promise<RpcError> {
  const error = await call.then(
    (value) => new Error(`expected ${StatusCode[code]}, got a result: ${JSON.stringify(value).slice(0, 200)}`),
    (e: unknown) => e,
  );
  if (!(error instanceof RpcError)) throw error;
  if (error.code !== code) throw new Error(`expected ${StatusCode[code]}, got ${error.codeName}: ${error.message}`);
  return error;
}

/** Milliseconds a promise took to settle, with its outcome. */
export async function timed<T>(work: Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const started = Date.now();
  const [result] = await Promise.allSettled([work]);
  return { ms: Date.now() - started, result };
}
