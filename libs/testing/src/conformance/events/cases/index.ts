import type { EventCase } from '../event-case';
import { deadLetters } from './dead-letters.case';
import { brokerRestart, consumerRestart, expiringEvents } from './durability.case';
import { fanOut } from './fan-out.case';
import { forgedEvents } from './forged.case';
import { eventMetadata } from './metadata.case';
import { redelivery } from './redelivery.case';

/** Every case of the event-bus conformance suite, in the order they run. */
export const EVENT_CASES: readonly EventCase[] = [
  fanOut,
  eventMetadata,
  redelivery,
  deadLetters,
  forgedEvents,
  consumerRestart,
  expiringEvents,
  brokerRestart,
];
