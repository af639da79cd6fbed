import { randomBytes } from 'node:crypto';
import { MemoryBroker, TransportConfig, TransportName } from '@app/transport';
import { freePort } from '../brokers/free-port';
import { NatsServerProcess } from '../brokers/nats-server.process';
import { RedisServerProcess } from '../brokers/redis-server.process';
import type { TransportFixture } from './transport-fixture';

/** Small enough that "at and over the limit" is cheap to test, and under NATS's own 1 MB max_payload. */
export const CONFORMANCE_MAX_PAYLOAD = 64 * 1024;

const base = (): Partial<TransportConfig> => ({
  namespace: `conf-${randomBytes(4).toString('hex')}`,
  maxPayloadBytes: CONFORMANCE_MAX_PAYLOAD,
  timeoutMs: 5000,
});

function memoryFixture(): TransportFixture {
  const shared = { ...base(), memoryBroker: new MemoryBroker() };
  return {
    transport: 'memory',
    features: { brokered: false, reconnects: false, reportsMissingService: true },
    setup: async () => undefined,
    teardown: async () => undefined,
    config: () => shared,
    serverConfig: () => ({}),
    stopBroker: async () => undefined,
    startBroker: async () => undefined,
  };
}

function brokeredFixture(transport: 'nats' | 'redis'): TransportFixture {
  const broker = transport === 'nats' ? new NatsServerProcess() : new RedisServerProcess();
  const shared = base();
  return {
    transport,
    features: { brokered: true, reconnects: true, reportsMissingService: transport === 'nats' },
    setup: async () => void (await broker.start()),
    teardown: () => broker.dispose(),
    config: () => ({ ...shared, [transport === 'nats' ? 'natsUrl' : 'redisUrl']: broker.url }),
    serverConfig: () => ({}),
    stopBroker: () => broker.stop(),
    startBroker: async () => void (await broker.start()),
  };
}

function pointToPointFixture(transport: 'tcp' | 'grpc'): TransportFixture {
  const shared = base();
  let addresses: string[] = [];
  return {
    transport,
    features: { brokered: false, reconnects: true, reportsMissingService: true },
    setup: async () => {
      addresses = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    },
    teardown: async () => undefined,
    config: () => ({ ...shared, addresses: { conformance: addresses } }),
    serverConfig: (index) => ({ listen: addresses[index] }),
    stopBroker: async () => undefined,
    startBroker: async () => undefined,
  };
}

export function createFixture(transport: TransportName): TransportFixture {
  switch (transport) {
    case 'memory':
      return memoryFixture();
    case 'nats':
    case 'redis':
      return brokeredFixture(transport);
    case 'tcp':
    case 'grpc':
      return pointToPointFixture(transport);
  }
}
