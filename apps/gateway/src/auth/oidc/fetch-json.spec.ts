import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJson, MAX_DOCUMENT_BYTES } from './fetch-json';

/** fetchJson against a real local server that answers each path its own way. */
describe('fetchJson', () => {
  let server: Server;
  let base = '';
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'),
    '/missing': (res) => res.writeHead(404).end('{}'),
    '/text': (res) => res.writeHead(200).end('<html>'),
    '/redirect': (res) => res.writeHead(302, { location: '/ok' }).end(),
    '/declared-large': (res) => res.writeHead(200, { 'content-length': String(MAX_DOCUMENT_BYTES + 1) }).end(),
    '/streamed-large': (res) => {
      res.writeHead(200);
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end();
    },
    '/silent': () => undefined,
    '/stalling': (res) => {
      res.writeHead(200);
      res.write('{"keys":');
    },
  };

  beforeAll(async () => {
    server = createServer((req, res) => (routes[req.url ?? ''] ?? routes['/missing'])(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a JSON document', async () => {
    await expect(fetchJson(`${base}/ok`, false)).resolves.toEqual({ keys: [] });
  });

  it.each<[string, string, RegExp]>([
    ['a status other than 200', '/missing', /\/missing: HTTP 404$/],
    ['a body that is not JSON', '/text', /\/text: not JSON$/],
    ['a redirect', '/redirect', /\/redirect: cannot be fetched$/],
    ['a declared length over the limit', '/declared-large', /larger than 262144 bytes$/],
    ['a streamed body over the limit', '/streamed-large', /larger than 262144 bytes$/],
  ])('refuses %s', async (_, path, message) => {
    await expect(fetchJson(`${base}${path}`, false)).rejects.toThrow(message);
  });

  it('gives up on a server that does not answer in time', async () => {
    const started = Date.now();
    await expect(fetchJson(`${base}/silent`, false, 200)).rejects.toThrow(/\/silent: no answer within 200 ms$/);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetchJson(`${base}/stalling`, false, 200)).rejects.toThrow(/\/stalling: the answer was cut off or too slow$/);
  });

  it('refuses http when https only, and names the URL without its query', async () => {
    await expect(fetchJson(`${base}/ok?token=hunter2`, true)).rejects.toThrow(`${base}/ok: only https URLs are fetched in production`);
    await expect(fetchJson(`${base}/missing?token=hunter2`, false)).rejects.toThrow(expect.objectContaining({
      message: expect.not.stringContaining('hunter2'),
    }));
  });
});
