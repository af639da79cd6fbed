import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, freePort, OtlpReceiver } from '@app/testing';
import { makeProviderKey, OidcTestProvider, PROVIDER_AUDIENCE, rawJwt } from '../apps/gateway/src/testing/oidc-test-provider';

/**
 * "No secret or token ever appears in logs, error bodies or traces", proven with canaries: the built system runs
 * as one process with recognisable random values for every secret (client secrets, JWT_SECRET,
 * SERVICE_AUTH_SECRET); the test drives it over HTTP through wrong secrets, good and bad tokens (the gateway's own
 * and an OpenID Connect provider's), validation errors and a whole order flow, then reads every byte the process
 * logged, every response it gave and every span it exported (OTLP/JSON, to a test receiver). None may contain a
 * secret, or a token except the token response that issues it.
 */
const MARK = `CANARY${randomBytes(3).toString('hex')}`;
const canary = (name: string) => `${MARK}-${name}-${randomBytes(24).toString('hex')}`;

const secrets = {
  alice: canary('alice-secret'),
  bob: canary('bob-secret'),
  jwt: canary('jwt-secret'),
  service: canary('service-auth-secret'),
  /** Guessed secrets are secrets too: whoever sends one may have typed a real one by mistake. */
  guess: canary('guessed-secret'),
};

/** A JWT, or the start of one: a JSON header and some of what follows it. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g;

/** Every substring of `text` of `size` characters. */
const windows = (text: string, size: number) =>
  Array.from({ length: Math.max(0, text.length - size + 1) }, (_, i) => text.slice(i, i + size));

interface Exchange {
  what: string;
  status: number;
  headers: string;
  body: string;
  /** A token response: its body may hold the token it issues (its headers may not). */
  issuesToken: boolean;
}

describe('secret canaries (built system, TRANSPORT=memory)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-canaries-'));
  const provider = new OidcTestProvider();
  const oidcKey = makeProviderKey('canary-key', 'RS256');
  const exchanges: Exchange[] = [];
  /** Every bearer token issued, forged or sent during the test. */
  const tokens = new Set<string>();
  let system: AppProcess;
  let gateway = '';
  const traces = new OtlpReceiver();

  async function http(what: string, path: string, init: RequestInit = {}, issuesToken = false): Promise<Response> {
    const res = await fetch(`${gateway}${path}`, init);
    const body = await res.text();
    const headers = [...res.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    exchanges.push({ what, status: res.status, headers, body, issuesToken });
    return new Response(body, { status: res.status, headers: res.headers });
  }

  const tokenRequest = (what: string, body: RequestInit['body'], headers: Record<string, string> = {}) =>
    http(what, '/v1/auth/token', { method: 'POST', body, headers }, true);

  async function issue(client: 'alice' | 'bob'): Promise<string> {
    const res = await tokenRequest(
      `token for ${client}`,
      new URLSearchParams({ grant_type: 'client_credentials', client_id: client, client_secret: secrets[client] }),
    );
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    tokens.add(token);
    return token;
  }

  const TEA = { items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa' };
  const order = (what: string, authorization: string | undefined, body: unknown = TEA) => {
    const token = authorization?.split(' ')[1];
    if (token) tokens.add(token);
    return http(what, '/v1/orders', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    });
  };

  beforeAll(async () => {
    await provider.start();
    await traces.start();
    provider.published = [oidcKey];
    const env: NodeJS.ProcessEnv = {
      NO_COLOR: '1', // plain text: fewer bytes for AppProcess's tail, and needles cannot be split by colour codes
      TRANSPORT: 'memory',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      AUTH_CLIENTS: `alice:${secrets.alice},bob:${secrets.bob}`,
      JWT_SECRET: secrets.jwt,
      SERVICE_AUTH_SECRET: secrets.service,
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: PROVIDER_AUDIENCE,
      PORT: String(await freePort()),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: traces.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    for (const service of ['orders', 'inventory', 'payments', 'notifications']) {
      env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    gateway = `http://127.0.0.1:${env.PORT}`;
    system = new AppProcess('system', env, Infinity).start();
    await system.waitForLog('all apps up', 60_000);
  });

  afterAll(async () => {
    await system?.stop();
    await provider.stop();
    await traces.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses wrong client secrets, and malformed token requests that carry a real one', async () => {
    const form = (params: Record<string, string>) => new URLSearchParams({ grant_type: 'client_credentials', ...params });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const answers = [
      await tokenRequest('wrong secret (form)', form({ client_id: 'alice', client_secret: secrets.guess })),
      await tokenRequest('wrong secret (Basic)', form({}), { authorization: basic('alice', secrets.guess) }),
      await tokenRequest('another client\'s secret', form({ client_id: 'alice', client_secret: secrets.bob })),
      await tokenRequest('unknown client with a real secret', form({ client_id: 'mallory', client_secret: secrets.alice })),
      await tokenRequest('client id that is a secret', form({ client_id: secrets.guess, client_secret: secrets.alice })),
    ];
    expect(answers.map((res) => res.status)).toEqual([401, 401, 401, 401, 401]);

    const malformed = [
      await tokenRequest(
        'malformed JSON with a real secret',
        `{"grant_type":"client_credentials","client_secret":"${secrets.alice}", oops}`,
        { 'content-type': 'application/json' },
      ),
      await tokenRequest(
        'a secret given twice',
        `grant_type=client_credentials&client_id=alice&client_secret=${secrets.alice}&client_secret=${secrets.guess}`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ),
      await tokenRequest('Basic and body credentials', form({ client_id: 'alice', client_secret: secrets.alice }), {
        authorization: basic('alice', secrets.alice),
      }),
      await tokenRequest(
        'wrong grant with a real secret',
        new URLSearchParams({ grant_type: 'password', client_id: 'alice', client_secret: secrets.alice }),
      ),
    ];
    expect(malformed.map((res) => res.status)).toEqual([400, 400, 400, 400]);
  });

  it('issues tokens (form, JSON, Basic), which work', async () => {
    const alice = await issue('alice');
    const json = await tokenRequest(
      'token for bob (JSON)',
      JSON.stringify({ grant_type: 'client_credentials', client_id: 'bob', client_secret: secrets.bob }),
      { 'content-type': 'application/json' },
    );
    const basic = await tokenRequest('token for bob (Basic)', new URLSearchParams({ grant_type: 'client_credentials' }), {
      authorization: `Basic ${Buffer.from(`bob:${secrets.bob}`).toString('base64')}`,
    });
    for (const res of [json, basic]) {
      expect(res.status).toBe(200);
      tokens.add(((await res.json()) as { access_token: string }).access_token);
    }
    const res = await http('read with a good token', '/v1/orders/no-such-order', { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(404);
  });

  it('answers 401 to bad, tampered, forged and misplaced tokens, without quoting them', async () => {
    const good = await issue('alice');
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const hs256 = (value: object, key: string) =>
      rawJwt({ alg: 'HS256', typ: 'JWT' }, value, (input) => createHmac('sha256', key).update(input).digest('base64url'));
    const now = Math.floor(Date.now() / 1000);

    const bearer = [
      `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
      `${header}.${encode({ ...claims, sub: 'bob' })}.${signature}`,
      hs256({ ...claims, exp: now - 60 }, secrets.jwt),
      hs256(claims, secrets.guess),
      rawJwt({ alg: 'none', typ: 'JWT' }, claims),
      provider.sign(oidcKey, { sub: 'oidc-customer', exp: now - 60 }),
      provider.sign(oidcKey, { sub: 'oidc-customer', aud: 'elsewhere' }),
      provider.sign(makeProviderKey('unknown-key'), { sub: 'oidc-customer' }),
      rawJwt({ alg: 'none', kid: oidcKey.kid }, { iss: provider.issuer, aud: PROVIDER_AUDIENCE, sub: 'oidc-customer', exp: now + 60 }),
    ];
    for (const token of bearer) {
      expect((await order('bad bearer token', `Bearer ${token}`)).status).toBe(401);
      tokens.add(token);
      const read = await http('bad bearer token (read)', '/v1/orders/some-id', { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(401);
    }
    const misplaced = [`Bearer ${good} ${good}`, `Basic ${good}`, `Token ${good}`, `Bearer ${good}, ${secrets.guess}`, good];
    for (const authorization of misplaced) expect((await order('malformed Authorization', authorization)).status).toBe(401);
    expect((await order('no Authorization', undefined)).status).toBe(401);
  });

  it('answers validation errors without echoing what was sent', async () => {
    const token = await issue('bob');
    const bodies: unknown[] = [
      `{"items": [{"sku": "SKU-TEA", "quantity": 1}], "paymentMethod": "${token}", oops}`,
      { items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa', token },
      { items: token, paymentMethod: 'visa' },
      { items: [{ sku: 'SKU-TEA', quantity: secrets.guess }], paymentMethod: 'visa' },
      { items: [{ sku: secrets.guess, quantity: 1 }], paymentMethod: 'visa' },
      { items: [], paymentMethod: secrets.guess.repeat(3) },
    ];
    for (const body of bodies) expect((await order('invalid order', `Bearer ${token}`, body)).status).toBe(400);
    const huge = { ...TEA, paymentMethod: token.repeat(400) };
    expect((await order('too large', `Bearer ${token}`, huge)).status).toBe(413);
  });

  it('runs orders end to end: confirmed, declined, another customer\'s, and an OIDC customer\'s', async () => {
    const alice = await issue('alice');
    const bob = await issue('bob');
    const oidc = provider.sign(oidcKey, { sub: 'oidc-customer' });
    tokens.add(oidc);
    const settled = async (id: string, token: string) => {
      for (let tries = 0; tries < 300; tries++) {
        const res = await http('read order', `/v1/orders/${id}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { status: string };
        if (body.status !== 'PENDING') return body.status;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`order ${id} still PENDING`);
    };
    const place = async (token: string, paymentMethod: string) => {
      const res = await order('place order', `Bearer ${token}`, { items: [{ sku: 'SKU-COFFEE', quantity: 1 }], paymentMethod });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };

    const confirmed = await place(alice, 'visa');
    const declined = await place(alice, 'card-declined');
    const unknownSku = await order('unknown SKU', `Bearer ${alice}`, { items: [{ sku: 'SKU-NOPE', quantity: 1 }], paymentMethod: 'visa' });
    const theirs = await place(oidc, 'visa');
    expect(await settled(confirmed, alice)).toBe('CONFIRMED');
    expect(await settled(declined, alice)).toBe('REJECTED');
    expect(await settled(((await unknownSku.json()) as { id: string }).id, alice)).toBe('REJECTED');
    expect(await settled(theirs, oidc)).toBe('CONFIRMED');
    const foreign = await http('another customer\'s order', `/v1/orders/${confirmed}`, { headers: { authorization: `Bearer ${bob}` } });
    expect(foreign.status).toBe(404);
    expect((await http('inventory', '/v1/inventory')).status).toBe(200);
  });

  it('leaks no secret and no token into any log, answer or trace (read after a graceful stop)', async () => {
    expect(await system.stop()).toBe('graceful');
    const logs = system.logs;
    expect(logs).toContain('all apps up');
    // The spans of the whole test (the app flushes them as it stops): HTTP, every call and every event.
    expect(traces.spans.length).toBeGreaterThan(100);
    const exported = traces.bodies.join('\n');
    expect(exchanges.length).toBeGreaterThan(40);
    expect(tokens.size).toBeGreaterThan(10);

    // What must not show, even in part: any 16 characters of a secret's random part, any 20 of a token's claims or
    // signature (a header alone is no leak: every HS256 token shares it), the secrets' base64 forms, the mark.
    const needles = new Map<string, string[]>();
    for (const [name, value] of Object.entries(secrets)) {
      needles.set(`secret ${name}`, [...windows(value.slice(-48), 16), Buffer.from(value).toString('base64').slice(8, -8)]);
    }
    needles.set('Basic credentials of alice', [Buffer.from(`alice:${secrets.alice}`).toString('base64').slice(0, -4)]);
    needles.set('the canary mark', [MARK]);
    for (const token of tokens) {
      const [, claims, signature] = token.split('.');
      needles.set(`token ${token.slice(0, 12)}...${token.slice(-6)}`, [...windows(claims, 20), ...windows(signature, 20)]);
    }

    const leaks: string[] = [];
    /** Names each leak with a little context, the leaked part blanked out. */
    const scan = (where: string, text: string) => {
      for (const [name, parts] of needles) {
        const part = parts.find((candidate) => text.includes(candidate));
        if (part === undefined) continue;
        const at = text.indexOf(part);
        const context = text.slice(Math.max(0, at - 80), at + part.length + 40).replaceAll(part, '<LEAK>');
        leaks.push(`${name} in ${where}: ...${context}...`);
      }
    };
    scan('the system log', logs);
    for (const jwt of logs.match(JWT_SHAPE) ?? []) leaks.push(`a JWT in the system log: ${jwt.slice(0, 24)}...`);
    scan('the exported spans', exported);
    for (const jwt of exported.match(JWT_SHAPE) ?? []) leaks.push(`a JWT in the exported spans: ${jwt.slice(0, 24)}...`);
    for (const exchange of exchanges) {
      const where = `${exchange.what} (${exchange.status})`;
      scan(`the headers of ${where}`, exchange.headers);
      if (exchange.issuesToken && exchange.status === 200) {
        scan(`the body of ${where}`, exchange.body.replace(/"access_token":"[^"]*"/, ''));
      } else {
        scan(`the body of ${where}`, exchange.body);
        if (exchange.body.match(JWT_SHAPE)) leaks.push(`a JWT in the body of ${where}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
