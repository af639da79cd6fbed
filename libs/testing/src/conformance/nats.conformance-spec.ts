import { runConformanceSuite } from './run-conformance-suite';

runConformanceSuite('nats');
