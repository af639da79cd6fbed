import type { ConformanceCase } from '../conformance-case';
import { concurrency, sharedWork } from './concurrency.case';
import { deadlines } from './deadlines.case';
import { errorModel } from './errors.case';
import { gracefulClose } from './graceful-close.case';
import { metadataRoundTrip } from './metadata.case';
import { payloadLimits } from './payload-limits.case';
import { brokerLater, brokerRestart, peerRestart } from './reconnect.case';
import { requestReply } from './request-reply.case';
import { serviceAuthentication } from './service-auth.case';
import { bulkheadLimit, circuitBreaker, nestedDeadlines, retries } from './resilience.case';
import { missingService, unknownMethod } from './unknown-method.case';

/** Every case of the transport conformance suite, in the order they run. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  requestReply,
  metadataRoundTrip,
  errorModel,
  deadlines,
  unknownMethod,
  missingService,
  payloadLimits,
  concurrency,
  sharedWork,
  gracefulClose,
  serviceAuthentication,
  nestedDeadlines,
  retries,
  circuitBreaker,
  bulkheadLimit,
  peerRestart,
  brokerRestart,
  brokerLater,
];
