import { Transport } from '@nestjs/microservices';
import { hostPort } from '../../rpc-stack';
import { nestStack } from './nest-stack';

/** Nest's stock TCP transport (JSON socket). */
export const nestTcp = nestStack({
  server: (job) => ({ transport: Transport.TCP, options: hostPort(job.address) }),
  client: (job) => ({ transport: Transport.TCP, options: hostPort(job.address) }),
});
