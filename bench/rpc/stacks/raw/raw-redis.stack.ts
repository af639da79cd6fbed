import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { EchoClient, EchoServer, RpcJob, RpcStack } from '../../rpc-stack';
import { echoReplyJson, rawInstance } from './echo-reply';

const requests = (job: RpcJob) => `${job.namespace}:raw:echo`;

/** One message on the request channel: `<reply channel> <id> <request JSON>`; a reply is `<id> <response JSON>`. */
function split(message: string, parts: number): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 1; i < parts; i++) {
    const at = message.indexOf(' ', from);
    out.push(message.slice(from, at));
    from = at + 1;
  }
  out.push(message.slice(from));
  return out;
}

/** ioredis request/reply over pub/sub: one subscriber and one publisher connection on each side. */
export const rawRedis: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    const subscriber = new Redis(job.redisUrl);
    const publisher = new Redis(job.redisUrl);
    const instance = rawInstance();
    subscriber.on('message', (_channel: string, message: string) => {
      const [reply, id, body] = split(message, 3);
      void publisher.publish(reply, `${id} ${echoReplyJson(body, instance)}`);
    });
    await subscriber.subscribe(requests(job));
    return {
      async close() {
        subscriber.disconnect();
        publisher.disconnect();
      },
    };
  },

  async connectClient(job): Promise<EchoClient> {
    const subscriber = new Redis(job.redisUrl);
    const publisher = new Redis(job.redisUrl);
    const replies = `${job.namespace}:raw:reply:${randomBytes(6).toString('hex')}`;
    const pending = new Map<string, (value: unknown) => void>();
    let nextId = 0;
    subscriber.on('message', (_channel: string, message: string) => {
      const [id, body] = split(message, 2);
      const resolve = pending.get(id);
      if (!resolve) return;
      pending.delete(id);
      resolve(JSON.parse(body));
    });
    await subscriber.subscribe(replies);
    const target = requests(job);
    return {
      echo(value: string) {
        const id = String(nextId++);
        return new Promise((resolve) => {
          pending.set(id, resolve);
          void publisher.publish(target, `${replies} ${id} ${JSON.stringify({ text: value })}`);
        });
      },
      async close() {
        subscriber.disconnect();
        publisher.disconnect();
      },
    };
  },
};
