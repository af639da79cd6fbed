import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server answering GET /jwks.json with whatever `jwks` currently holds; counts the requests. */
export class JwksTestServer {
  jwks = '{"keys":[]}';
  status = 200;
  requests = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.requests++;
      response.writeHead(request.url === '/jwks.json' ? this.status : 404, { 'content-type': 'application/json' });
      response.end(this.jwks);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
