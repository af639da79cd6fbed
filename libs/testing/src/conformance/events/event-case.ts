import type { EventBusFeatures } from './event-bus-fixture';
import type { EventHarness } from './event-harness';

/**
 * One behaviour every event bus must show. To add a case: write a `*.case.ts` file in cases/ and list it in
 * cases/index.ts; a case that `requires` a feature the bus lacks is not registered for it.
 */
export interface EventCase {
  readonly name: string;
  readonly requires?: readonly (keyof EventBusFeatures)[];
  define(h: EventHarness): void;
}
