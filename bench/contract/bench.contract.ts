import { join } from 'node:path';
import { z } from 'zod';
import { defineService, method } from '@app/contracts';

/** bench.v1: one echo method, the request/reply every stack of the benchmark serves. */
export const BenchV1 = defineService({
  service: 'bench',
  version: 'v1',
  grpcService: 'Bench',
  protoRoot: join(__dirname, '..', 'proto'),
  protoFile: 'bench/v1/bench.proto',
  methods: {
    echo: method({
      name: 'Echo',
      request: z.object({ text: z.string() }).strict(),
      requestType: 'EchoRequest',
      response: z.object({ text: z.string(), instance: z.string() }).strict(),
      responseType: 'EchoResponse',
      idempotent: true,
    }),
  },
});

/** The scope a caller needs for bench.v1.Echo, and the grant the bench's client service gets. */
export const ECHO_SCOPE = 'bench:echo';
export const BENCH_CLIENT_SERVICE = 'bench-client';
export const BENCH_GRANTS = { extraGrants: { [BENCH_CLIENT_SERVICE]: { bench: [ECHO_SCOPE] } } };

/** What every echo server answers: the request's text and the server's name. */
export interface EchoRequest {
  text: string;
}
export interface EchoResponse {
  text: string;
  instance: string;
}
