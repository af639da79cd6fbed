import { Controller, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import type { RequestOf } from '@app/contracts';
import { CallContext, InjectClient, Rpc, RpcError, ServiceClient, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConformanceV1 } from './conformance.contract';

const M = ConformanceV1.methods;

/** What one server instance saw, for cases that check behaviour on the server side. */
@Injectable()
export class ConformanceState {
  handled = 0;
  abortedSleeps = 0;
  completedSleeps = 0;
  /** Calls of Fail, and of Flaky per key. */
  failCalls = 0;
  readonly flakyCalls = new Map<string, number>();

  flakyTotal(): number {
    return [...this.flakyCalls.values()].reduce((a, b) => a + b, 0);
  }
}

/** The handlers of conformance.v1, declared once for every transport. */
@Controller()
export class ConformanceController {
  constructor(
    private readonly state: ConformanceState,
    @Inject(TRANSPORT_CONFIG) private readonly config: TransportConfig,
    @InjectClient(ConformanceV1) private readonly self: ServiceClient<typeof ConformanceV1>,
  ) {}

  @Rpc(M.echo)
  echo(request: RequestOf<typeof M.echo>) {
    this.state.handled++;
    return { text: request.text, instance: this.config.instanceId };
  }

  @Rpc(M.measure)
  measure(request: RequestOf<typeof M.measure>) {
    this.state.handled++;
    return { length: request.text.length };
  }

  @Rpc(M.inspect)
  @RequireScopes('conformance:inspect')
  inspect(_request: unknown, ctx: CallContext) {
    return {
      method: ctx.method,
      transport: ctx.transport,
      correlationId: ctx.correlationId ?? '',
      deadline: ctx.deadline ?? 0,
      callerToken: ctx.callerToken ?? '',
      caller: ctx.caller ?? '',
      traceparent: ctx.traceparent ?? '',
      tracestate: ctx.tracestate ?? '',
      idempotencyKey: ctx.idempotencyKey ?? '',
      metadataJson: JSON.stringify(ctx.metadata),
    };
  }

  @Rpc(M.fail)
  fail(request: RequestOf<typeof M.fail>): never {
    this.state.failCalls++;
    throw new RpcError(request.code as StatusCode, request.message, request.detailsJson ? JSON.parse(request.detailsJson) : undefined);
  }

  @Rpc(M.throw)
  throw(request: RequestOf<typeof M.throw>): never {
    if (request.kind === 'not-found') throw new NotFoundException(request.message);
    throw new Error(request.message);
  }

  /** Sleeps, but stops as soon as the call's deadline passes (nobody waits for the answer any more). */
  @Rpc(M.sleep)
  async sleep(request: RequestOf<typeof M.sleep>, ctx: CallContext) {
    const started = Date.now();
    try {
      await sleep(request.ms, undefined, { signal: ctx.signal });
      this.state.completedSleeps++;
    } catch {
      this.state.abortedSleeps++;
    }
    return { sleptMs: Date.now() - started };
  }

  @Rpc(M.flaky)
  flaky(request: RequestOf<typeof M.flaky>) {
    const attempts = (this.state.flakyCalls.get(request.key) ?? 0) + 1;
    this.state.flakyCalls.set(request.key, attempts);
    if (attempts <= request.failures) throw new RpcError(StatusCode.UNAVAILABLE, `flaky ${request.key} failed attempt ${attempts}`);
    return { attempts };
  }

  /** A second hop: the call inherits this call's deadline and correlation id, and its failures' retry pushback. */
  @Rpc(M.relay)
  async relay(request: RequestOf<typeof M.relay>) {
    const payload = JSON.parse(request.payloadJson);
    const result =
      request.target === 'flaky'
        ? await this.self.flaky(payload)
        : request.target === 'sleep'
          ? await this.self.sleep(payload)
          : await this.self.inspect(payload);
    return { resultJson: JSON.stringify(result) };
  }

  @Rpc(M.generate)
  generate(request: RequestOf<typeof M.generate>) {
    return { data: 'x'.repeat(request.bytes) };
  }
}
