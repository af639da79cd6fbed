import { applyDecorators, SetMetadata } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { EventRef } from '@app/contracts';
import { requestAndContextByDefault } from '@app/transport';

export const EVENT_REF = 'switchboard:event-ref';

/** Every event type some handler of this process declared, so the consumer can validate its payload. */
const declaredEvents = new Map<string, EventRef>();
export const declaredEvent = (type: string): EventRef | undefined => declaredEvents.get(type);

/**
 * Declares the handler of an event type for this service. Every subscribing service gets each event; one
 * instance of the service handles it. The handler receives the validated payload and an EventContext:
 * `handle(event, ctx)`. Returning acks the event; throwing has it delivered again (bounded, with backoff).
 */
export const OnEvent = (event: EventRef): MethodDecorator => {
  declaredEvents.set(event.type, event);
  return applyDecorators(EventPattern(event.type), SetMetadata(EVENT_REF, event), requestAndContextByDefault);
};
