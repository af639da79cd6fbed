import type { EventJob, EventStack } from '../event-stack';
import { rawJetStream } from './raw-jetstream.stack';
import { rawRedisStreams } from './raw-redis-streams.stack';
import { switchboardBus } from './switchboard-bus.stack';

export function eventStack(job: Pick<EventJob, 'stack' | 'bus'>): EventStack {
  if (job.stack === 'switchboard') return switchboardBus;
  return job.bus === 'jetstream' ? rawJetStream : rawRedisStreams;
}
