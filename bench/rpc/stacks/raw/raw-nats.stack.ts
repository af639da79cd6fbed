import { connect, createInbox, Msg, NatsConnection } from 'nats';
import type { EchoClient, EchoServer, RpcJob, RpcStack } from '../../rpc-stack';
import { echoReplyJson, rawInstance } from './echo-reply';

const subject = (job: RpcJob) => `${job.namespace}.raw.echo`;
const text = (msg: Msg) => Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).toString();

/**
 * nats.js at its leanest (the pattern Moleculer uses): the server answers on a queue subscription; the client
 * keeps one wildcard reply subscription and publishes each request with `<inbox>.<id>` as its reply subject, so
 * there is no per-request subscription or timer.
 */
export const rawNats: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    const nc = await connect({ servers: job.natsUrl, noAsyncTraces: true });
    const instance = rawInstance();
    nc.subscribe(subject(job), {
      queue: 'bench',
      callback: (error, msg) => {
        if (!error) msg.respond(Buffer.from(echoReplyJson(text(msg), instance)));
      },
    });
    await nc.flush();
    return { close: () => nc.drain() };
  },

  async connectClient(job): Promise<EchoClient> {
    const nc: NatsConnection = await connect({ servers: job.natsUrl, noAsyncTraces: true });
    const inbox = createInbox();
    const pending = new Map<number, { resolve(value: unknown): void }>();
    let nextId = 0;
    nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (error) return;
        const id = Number(msg.subject.slice(inbox.length + 1));
        const waiter = pending.get(id);
        if (!waiter) return;
        pending.delete(id);
        waiter.resolve(JSON.parse(text(msg)));
      },
    });
    await nc.flush();
    const target = subject(job);
    return {
      echo(value: string) {
        const id = nextId++;
        return new Promise((resolve) => {
          pending.set(id, { resolve });
          nc.publish(target, Buffer.from(JSON.stringify({ text: value })), { reply: `${inbox}.${id}` });
        });
      },
      close: () => nc.close(),
    };
  },
};
