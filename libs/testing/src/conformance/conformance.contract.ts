import { join } from 'node:path';
import { z } from 'zod';
import { defineService, method } from '@app/contracts';

const Empty = z.object({}).strict();

/** conformance.v1: the test service that every transport must serve identically. */
export const ConformanceV1 = defineService({
  service: 'conformance',
  version: 'v1',
  grpcService: 'Conformance',
  protoRoot: join(__dirname, '..', '..', 'proto'),
  protoFile: 'conformance/v1/conformance.proto',
  methods: {
    echo: method({
      name: 'Echo',
      request: z.object({ text: z.string() }).strict(),
      requestType: 'EchoRequest',
      response: z.object({ text: z.string(), instance: z.string() }).strict(),
      responseType: 'EchoResponse',
      idempotent: true,
    }),
    measure: method({
      name: 'Measure',
      request: z.object({ text: z.string() }).strict(),
      requestType: 'MeasureRequest',
      response: z.object({ length: z.number().int() }).strict(),
      responseType: 'MeasureResponse',
      idempotent: true,
    }),
    inspect: method({
      name: 'Inspect',
      request: Empty,
      requestType: 'InspectRequest',
      response: z
        .object({
          method: z.string(),
          transport: z.string(),
          correlationId: z.string(),
          deadline: z.number(),
          callerToken: z.string(),
          caller: z.string(),
          traceparent: z.string(),
          tracestate: z.string(),
          idempotencyKey: z.string(),
          metadataJson: z.string(),
        })
        .strict(),
      responseType: 'InspectResponse',
      idempotent: true,
    }),
    fail: method({
      name: 'Fail',
      request: z.object({ code: z.number().int().min(1).max(16), message: z.string(), detailsJson: z.string() }).strict(),
      requestType: 'FailRequest',
      response: Empty,
      responseType: 'Empty',
      idempotent: true,
    }),
    throw: method({
      name: 'Throw',
      request: z.object({ message: z.string(), kind: z.enum(['error', 'not-found']) }).strict(),
      requestType: 'ThrowRequest',
      response: Empty,
      responseType: 'Empty',
      idempotent: true,
    }),
    sleep: method({
      name: 'Sleep',
      request: z.object({ ms: z.number().int().min(0).max(60_000) }).strict(),
      requestType: 'SleepRequest',
      response: z.object({ sleptMs: z.number().int() }).strict(),
      responseType: 'SleepResponse',
      idempotent: true,
    }),
    flaky: method({
      name: 'Flaky',
      request: z.object({ key: z.string().min(1), failures: z.number().int().min(0) }).strict(),
      requestType: 'FlakyRequest',
      response: z.object({ attempts: z.number().int() }).strict(),
      responseType: 'FlakyResponse',
      idempotent: true,
    }),
    relay: method({
      name: 'Relay',
      request: z.object({ target: z.enum(['flaky', 'sleep', 'inspect']), payloadJson: z.string() }).strict(),
      requestType: 'RelayRequest',
      response: z.object({ resultJson: z.string() }).strict(),
      responseType: 'RelayResponse',
      idempotent: true,
    }),
    generate: method({
      name: 'Generate',
      request: z.object({ bytes: z.number().int().min(0).max(64 * 1024 * 1024) }).strict(),
      requestType: 'GenerateRequest',
      response: z.object({ data: z.string() }).strict(),
      responseType: 'GenerateResponse',
      idempotent: true,
    }),
  },
});
