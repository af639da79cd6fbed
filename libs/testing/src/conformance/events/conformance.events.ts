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
  /** Work that is worthless late: expires 300 ms after it is published. */
  expiringPing: defineEvent({
    service: 'conformance',
    version: 'v1',
    name: 'ExpiringPing',
    schema: z.object({ n: z.number().int(), note: z.string() }).strict(),
    expiresAfterMs: 300,
  }),
} as const;
