import type { TransportName } from '@app/transport';
import { CONFORMANCE_CASES } from './cases';
import { ConformanceHarness } from './conformance-harness';
import { createFixture } from './fixtures';

/** Runs every conformance case the transport's features allow (the shape of Watermill's pub/sub test suite). */
export function runConformanceSuite(transport: TransportName): void {
  const fixture = createFixture(transport);
  const harness = new ConformanceHarness(fixture);
  describe(`transport conformance: ${transport}`, () => {
    beforeAll(() => fixture.setup());
    afterEach(() => harness.cleanup());
    afterAll(() => fixture.teardown());
    for (const c of CONFORMANCE_CASES) {
      if ((c.requires ?? []).every((feature) => fixture.features[feature])) describe(c.name, () => c.define(harness));
    }
  });
}
