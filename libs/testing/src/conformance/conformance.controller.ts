import { Controller, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { RequestOf } from '@app/contracts';
import { CallContext, Rpc, RpcError, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConformanceV1 } from './conformance.contract';

const M = ConformanceV1.methods;

/** What one server instance saw, for cases that check behaviour on the server side. */
@Injectable()
export class ConformanceState {
  handled = 0;
  abortedSleeps = 0;
  completedSleeps = 0;
}

/** The handlers of conformance.v1, declared once for every transport. */
@Controller()
export class ConformanceController {
  constructor(
    private readonly state: ConformanceState,
    @Inject(TRANSPORT_CONFIG) private readonly config: TransportConfig,
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

  @Rpc(M.generate)
  generate(request: RequestOf<typeof M.generate>) {
    return { data: 'x'.repeat(request.bytes) };
  }
}
