import { ALL_APPS, AppName, RunningSystem, SystemTransport } from '@app/testing';

/**
 * Readiness of the built system, on every transport, with no traffic at all: every app must report ready on its
 * own (a bus that connects lazily connects at start), and an open circuit breaker must show in the details without
 * taking the app out of rotation (a breaker leaves Open only on a call, which an unready app would never get).
 * Also: no app warns at start that its dead letters are kept in memory only.
 */
const TRANSPORTS: SystemTransport[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];
/** Issue 16: every app ready within 10 s of start, without a single request. */
const READY_WITHIN_MS = 10_000;

interface Ready {
  status: number;
  body: { status: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(TRANSPORTS)('readiness on %s', (transport) => {
  let system: RunningSystem;
  let startedAt = 0;

  const ready = async (app: AppName): Promise<Ready> => {
    const res = await fetch(`${system.httpUrl(app)}/health/ready`);
    return { status: res.status, body: (await res.json()) as Ready['body'] };
  };

  beforeAll(async () => {
    startedAt = Date.now();
    system = await new RunningSystem(transport, {
      // Quick to open, slow to half-open: the breaker stays open while the test looks at readiness.
      BREAKER_MIN_CALLS: '2',
      BREAKER_WINDOW: '4',
      BREAKER_HALF_OPEN_AFTER_MS: '60000',
    }).start();
  });

  afterAll(async () => {
    const endings = await system?.stop();
    expect(endings).toEqual(system.apps.map(() => 'graceful'));
  });

  it(`reports every app ready within ${READY_WITHIN_MS / 1000} s of start, with no traffic`, async () => {
    const readyAt = new Map<AppName, number>();
    const last = new Map<AppName, Ready>();
    while (readyAt.size < ALL_APPS.length && Date.now() - startedAt < READY_WITHIN_MS + 5000) {
      for (const app of ALL_APPS) {
        if (readyAt.has(app)) continue;
        const answer = await ready(app);
        last.set(app, answer);
        if (answer.status === 200) readyAt.set(app, Date.now() - startedAt);
      }
      await sleep(100);
    }
    const notReady = ALL_APPS.filter((app) => !readyAt.has(app)).map((app) => ({ app, answer: last.get(app) }));
    expect(notReady).toEqual([]);
    for (const app of ALL_APPS) expect({ app, ms: readyAt.get(app)! <= READY_WITHIN_MS }).toEqual({ app, ms: true });
    // Ready means the broker is reached: the event bus check is up on every service.
    for (const app of ALL_APPS.filter((a) => a !== 'gateway')) {
      expect({ app, events: last.get(app)!.body.info?.events?.status }).toEqual({ app, events: 'up' });
    }
  });

  it('logs no warning that dead letters are kept in memory only', () => {
    for (const app of ALL_APPS) expect({ app, logs: system.process(app).logs }).not.toEqual({ app, logs: expect.stringContaining('dead letters are kept in memory only') });
  });

  if (transport !== 'memory') {
    it('stays ready with a circuit breaker open, and names the breaker in the details', async () => {
      const payments = system.process('payments');
      payments.signal('SIGSTOP');
      try {
        // The gateway's health view probes each service (1 s timeout): the stopped one trips the breaker.
        let downstream: Record<string, unknown> | undefined;
        for (let i = 0; i < 10; i++) {
          const res = await fetch(`${system.httpUrl('gateway')}/v1/health`);
          expect(res.status).toBe(200);
          const answer = await ready('gateway');
          downstream = answer.body.info?.downstream;
          expect({ status: answer.status, body: answer.body.status }).toEqual({ status: 200, body: 'ok' });
          if ((downstream?.breakers as Record<string, string> | undefined)?.payments === 'open') break;
        }
        expect(downstream).toMatchObject({
          status: 'up',
          breakers: { payments: 'open', orders: 'closed' },
          open: ['payments'],
          message: expect.stringContaining('circuit open towards payments'),
        });
      } finally {
        payments.signal('SIGCONT');
      }
    });
  }
});
