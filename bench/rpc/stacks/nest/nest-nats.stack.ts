import { Transport } from '@nestjs/microservices';
import { nestStack } from './nest-stack';

/** Nest's stock NATS transport (its own subject per object pattern, nats.js request/reply). */
export const nestNats = nestStack({
  server: (job) => ({ transport: Transport.NATS, options: { servers: [job.natsUrl], queue: `${job.namespace}-nest` } }),
  client: (job) => ({ transport: Transport.NATS, options: { servers: [job.natsUrl] } }),
});
