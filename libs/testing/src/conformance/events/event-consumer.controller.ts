import { Controller, Inject } from '@nestjs/common';
import type { EventOf } from '@app/contracts';
import { EventContext, OnEvent } from '@app/messaging';
import { TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { ConformanceEventsV1 } from './conformance.events';
import { EventRecorder } from './event-recorder';

/** The consumer every event-bus conformance case runs: records each delivery, fails when told to. */
@Controller()
export class EventConsumerController {
  constructor(
    private readonly recorder: EventRecorder,
    @Inject(TRANSPORT_CONFIG) private readonly config: TransportConfig,
  ) {}

  @OnEvent(ConformanceEventsV1.expiringPing)
  expiringPing(event: EventOf<typeof ConformanceEventsV1.expiringPing>, ctx: EventContext) {
    this.ping(event, ctx);
  }

  @OnEvent(ConformanceEventsV1.ping)
  ping(event: EventOf<typeof ConformanceEventsV1.ping>, ctx: EventContext) {
    this.recorder.record({
      n: event.n,
      eventId: ctx.eventId,
      deliveryCount: ctx.deliveryCount,
      instance: this.config.instanceId,
      at: Date.now(),
      metadata: { ...ctx.metadata },
      correlationId: ctx.correlationId,
      traceparent: ctx.traceparent,
      callerToken: ctx.callerToken,
    });
  }
}
