import { runEventConformanceSuite } from './run-event-conformance-suite';

runEventConformanceSuite('redis');
