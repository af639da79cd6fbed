import type { ConformanceHarness } from './conformance-harness';
import type { TransportFeatures } from './transport-fixture';

/**
 * One behaviour every transport must show. `define` registers its tests (`it`) against the harness; a case that
 * `requires` a feature the transport lacks is not registered for it. To add a case: write a `*.case.ts` file in
 * cases/ and list it in cases/index.ts.
 */
export interface ConformanceCase {
  readonly name: string;
  readonly requires?: readonly (keyof TransportFeatures)[];
  define(h: ConformanceHarness): void;
}
