import { connect, createServer, Socket } from 'node:net';
import { hostPort } from '../../rpc-stack';
import type { EchoClient, EchoServer, RpcStack } from '../../rpc-stack';
import { echoReplyJson, rawInstance } from './echo-reply';
import { frame, readFrames } from './length-prefixed-frames';

/** A frame's body is `<id> <JSON>`. */
const split = (body: string) => {
  const at = body.indexOf(' ');
  return [body.slice(0, at), body.slice(at + 1)] as const;
};

/** A plain TCP socket with length-prefixed frames, one connection, requests multiplexed by id. */
export const rawTcp: RpcStack = {
  async startServer(job): Promise<EchoServer> {
    const instance = rawInstance();
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      readFrames(socket, (body) => {
        const [id, json] = split(body);
        socket.write(frame(`${id} ${echoReplyJson(json, instance)}`));
      });
    });
    const { host, port } = hostPort(job.address);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    return {
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  },

  async connectClient(job): Promise<EchoClient> {
    const { host, port } = hostPort(job.address);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, host, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const pending = new Map<string, (value: unknown) => void>();
    let nextId = 0;
    readFrames(socket, (body) => {
      const [id, json] = split(body);
      const resolve = pending.get(id);
      if (!resolve) return;
      pending.delete(id);
      resolve(JSON.parse(json));
    });
    return {
      echo(text: string) {
        const id = String(nextId++);
        return new Promise((resolve) => {
          pending.set(id, resolve);
          socket.write(frame(`${id} ${JSON.stringify({ text })}`));
        });
      },
      async close() {
        socket.destroy();
      },
    };
  },
};
