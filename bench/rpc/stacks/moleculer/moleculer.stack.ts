import { BrokerOptions, Context, ServiceBroker } from 'moleculer';
import type { EchoRequest, EchoResponse } from '../../../contract/bench.contract';
import { EchoClient, EchoServer, hostPort, RpcJob, RpcStack } from '../../rpc-stack';

/** The server's node id: the client's static node list names it (TCP). */
const serverNode = (job: RpcJob) => `${job.namespace}-moleculer-server`;

/**
 * Moleculer's own transporter for the job's transport:
 * - NATS: its NATS transporter (nats.js v2 client) on the run's nats-server.
 * - TCP: its TCP transporter without UDP discovery (the default would multicast / broadcast on the network): the
 *   server's TCP port is the one the run handed it, and the client has the server in its static node list at
 *   127.0.0.1, so it finds the server at once and only over loopback. The server learns the client from the
 *   client's gossip hello (the address that connection came from) and answers it there.
 */
function transporter(job: RpcJob, role: 'server' | 'client'): BrokerOptions['transporter'] {
  if (job.transport === 'nats') return { type: 'NATS', options: { url: job.natsUrl } };
  if (job.transport === 'tcp') {
    const { port } = hostPort(job.address);
    return role === 'server'
      ? { type: 'TCP', options: { udpDiscovery: false, port, urls: null } }
      : { type: 'TCP', options: { udpDiscovery: false, urls: [`127.0.0.1:${port}/${serverNode(job)}`] } };
  }
  throw new Error(`no moleculer transporter for ${job.transport}`);
}

/**
 * A broker with Moleculer's defaults (JSON serializer, round-robin balancer, no request timeout, retries, breaker
 * or bulkhead, validator on, metrics and tracing off), its logger at `warn`, in the run's namespace.
 */
function broker(job: RpcJob, role: 'server' | 'client', nodeID: string): ServiceBroker {
  return new ServiceBroker({ namespace: job.namespace, nodeID, logLevel: 'warn', transporter: transporter(job, role) });
}

/**
 * Moleculer 0.14, the peer stack: a `bench` service with an `echo` action that declares its params (validated by
 * Moleculer's default validator, as Switchboard validates the contract) and answers `{text, instance}`; the
 * client is another node calling `broker.call('bench.echo', {text})`.
 */
export const moleculerStack: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    const node = broker(job, 'server', serverNode(job));
    const instance = `moleculer-${process.pid}`;
    node.createService({
      name: 'bench',
      actions: {
        echo: {
          params: { text: 'string' },
          handler(ctx: Context<EchoRequest>): EchoResponse {
            return { text: ctx.params.text, instance };
          },
        },
      },
    });
    await node.start();
    return { close: () => node.stop() };
  },

  async connectClient(job): Promise<EchoClient> {
    const node = broker(job, 'client', `${job.namespace}-moleculer-client-${process.pid}`);
    await node.start();
    await node.waitForServices('bench', 30_000);
    return {
      echo: (text: string) => node.call<EchoResponse, EchoRequest>('bench.echo', { text }),
      close: () => node.stop(),
    };
  },
};
