import type { EventBusName } from '@app/messaging';
import { EVENT_CASES } from './cases';
import { createEventBusFixture } from './event-bus-fixture';
import { EventHarness } from './event-harness';

/** Runs every event-bus conformance case the bus's features allow. */
export function runEventConformanceSuite(bus: EventBusName): void {
  const fixture = createEventBusFixture(bus);
  const harness = new EventHarness(fixture);
  describe(`event bus conformance: ${bus}`, () => {
    beforeAll(() => fixture.setup());
    afterEach(() => harness.cleanup());
    afterAll(() => fixture.teardown());
    for (const c of EVENT_CASES) {
      if ((c.requires ?? []).every((feature) => fixture.features[feature])) describe(c.name, () => c.define(harness));
    }
  });
}
