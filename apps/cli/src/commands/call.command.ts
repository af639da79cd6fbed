import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { ALL_CONTRACTS, MethodRef, ServiceContract } from '@app/contracts';
import { SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule } from '@app/auth';
import { clientToken, Metadata, RpcError, SwitchboardModule, validationIssues } from '@app/transport';
import { CliError, usageError } from '../cli-error';
import { Spinner } from '../spinner';

export interface CallOptions {
  /** The service identity the call is made as (its token, its scopes). */
  as: string;
  timeoutMs?: number;
  metadata: Metadata;
}

/** Every contract method by pattern (`inventory.v1.Reserve`). */
export function findMethod(pattern: string): { contract: ServiceContract; method: MethodRef; key: string } {
  for (const contract of ALL_CONTRACTS as readonly ServiceContract[]) {
    for (const [key, method] of Object.entries(contract.methods)) {
      if (method.pattern === pattern) return { contract, method, key };
    }
  }
  const known = (ALL_CONTRACTS as readonly ServiceContract[]).flatMap((c) => Object.values(c.methods).map((m) => m.pattern));
  throw usageError(`unknown method "${pattern}"; methods: ${known.join(', ')}`);
}

/** The request body: inline JSON, `@file.json`, or `-` for stdin; `{}` when absent. */
export function readBody(data: string | undefined): unknown {
  if (data === undefined) return {};
  const text = data === '-' ? readFileSync(0, 'utf8') : data.startsWith('@') ? readFile(data.slice(1)) : data;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`the request body is not JSON: ${(error as Error).message}`);
  }
}

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Calls one contract method over the transport TRANSPORT names, like grpcurl: the request is checked against the
 * contract first, the call carries a service token of `--as` (its keys from the same settings as that service),
 * and the answer is the response payload. A failed call is a CliError with the status code and details.
 */
export async function callCommand(pattern: string, body: unknown, options: CallOptions): Promise<unknown> {
  const { contract, method, key } = findMethod(pattern);
  const transport = (process.env.TRANSPORT || 'memory').toLowerCase();
  if (transport === 'memory') {
    throw usageError('TRANSPORT=memory lives inside the system process: set TRANSPORT to nats, redis, grpc or tcp (as the apps run)');
  }
  const parsed = method.request.safeParse(body);
  if (!parsed.success) {
    const issues = validationIssues(parsed.error).map((i) => `  ${i.path || '(body)'}: ${i.message}`);
    throw usageError(`the request does not match ${pattern}:\n${issues.join('\n')}`);
  }

  @Module({
    imports: [
      ServiceAuthModule.forService({ service: options.as }),
      SwitchboardModule.forService({ service: options.as, clients: [contract], interceptors: [SERVICE_TOKEN_INTERCEPTORS] }),
    ],
  })
  class CallModule {}

  const spinner = new Spinner().start(`calling ${pattern} over ${transport}`);
  const app = await NestFactory.createApplicationContext(CallModule, { logger: false, abortOnError: false }).catch((error: unknown) => {
    spinner.stop();
    throw new CliError(`cannot set up the client: ${(error as Error).message}`);
  });
  try {
    const client = app.get<Record<string, (request: unknown, options: object) => Promise<unknown>>>(clientToken(contract));
    return await client[key](body, { timeoutMs: options.timeoutMs, metadata: options.metadata });
  } catch (error) {
    if (error instanceof RpcError) {
      const details = error.details === undefined ? '' : `\n${JSON.stringify(error.details, null, 2)}`;
      throw new CliError(`${error.codeName}: ${error.message}${details}`);
    }
    throw error;
  } finally {
    spinner.stop();
    await app.close();
  }
}
