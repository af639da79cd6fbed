import { runConformanceSuite } from './run-conformance-suite';

runConformanceSuite('grpc');
