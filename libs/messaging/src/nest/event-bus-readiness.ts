import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessChecks } from '@app/observability';
import type { EventBus } from '../bus/event-bus';
import { EVENT_BUS } from './tokens';

/** Adds the event bus's broker connection to the app's `/health/ready` (when the app has ObservabilityModule). */
@Injectable()
export class EventBusReadiness implements OnModuleInit {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Optional() private readonly checks?: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.checks?.add('events', () => {
      this.bus.checkReady?.();
      return { bus: this.bus.name };
    });
  }
}
