import { z } from 'zod';
import { defineEvent } from '@app/contracts';

/** The events the event-bus conformance suite publishes. */
export const ConformanceEventsV1 = {
  ping: defineEvent({
    service: 'conformance',
    version: 'v1',
    name: 'Ping',
    schema: z.object({ n: z.number().int(), note: z.string() }).strict(),
  }),
} as const;
