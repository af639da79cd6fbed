import { runEventConformanceSuite } from './run-event-conformance-suite';

runEventConformanceSuite('nats');
