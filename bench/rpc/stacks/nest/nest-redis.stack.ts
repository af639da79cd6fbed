import { Transport } from '@nestjs/microservices';
import { hostPort } from '../../rpc-stack';
import { nestStack } from './nest-stack';

/** Nest's stock Redis transport (ioredis pub/sub). */
export const nestRedis = nestStack({
  server: (job) => ({ transport: Transport.REDIS, options: { ...redisHost(job.redisUrl) } }),
  client: (job) => ({ transport: Transport.REDIS, options: { ...redisHost(job.redisUrl) } }),
});

function redisHost(url: string) {
  return hostPort(new URL(url).host);
}
