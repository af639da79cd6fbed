import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where the Switchboard stack's spans go during a run: an OTLP/HTTP endpoint on loopback that takes every export
 * and answers 200, counting requests and bytes, so tracing is really on (sampled, batched, exported) and the run
 * can show it was.
 */
export class TraceSink {
  requests = 0;
  bytes = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests++;
      req.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
