import { setTimeout as sleep } from 'node:timers/promises';
import { BusTransport, figures, OrderSystem } from './support/order-system';

/**
 * A broker that stops answering without closing its connections (SIGSTOP: a long GC pause, a frozen VM, a network
 * partition that drops packets) under mixed GET / POST load, then comes back (SIGCONT). Every wait is bounded: no
 * HTTP answer comes later than the call deadline plus half a second, the first success comes within two seconds of
 * the broker's return, and afterwards every accepted order is final and the reconciliation exact.
 */
const CALL_DEADLINE_MS = 2000;
const LATE_MARGIN_MS = 500;
const PAUSE_MS = 10_000;
const RECOVERY_MS = 2000;

interface Answer {
  kind: 'GET' | 'POST';
  startedAt: number;
  answeredAt: number;
  status: number;
}

describe.each<BusTransport>(['nats', 'redis'])('%s-server paused for 10 s under load', (transport) => {
  const system = new OrderSystem(transport, { RPC_TIMEOUT_MS: String(CALL_DEADLINE_MS) });

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  it('answers every request within its deadline, recovers within 2 s, and loses no order', async () => {
    const broker = system.nats ?? system.redis!;
    const token = await system.token('alice');
    const known = await system.placeMany(5, { prefix: `pause-seed-${transport}`, concurrency: 5, body: () => appleOrder });
    const knownIds = [...known.orders.values()];

    const answers: Answer[] = [];
    const accepted = new Map<string, string>();
    let stop = false;
    let sequence = 0;
    const timed = async (kind: Answer['kind'], request: () => Promise<Response>) => {
      const startedAt = Date.now();
      let status = 599;
      let body: { id?: string } = {};
      try {
        const res = await request();
        status = res.status;
        body = (await res.json().catch(() => ({}))) as { id?: string };
      } catch {
        // no answer at all within the client's own 15 s: recorded as 599, and late
      }
      answers.push({ kind, startedAt, answeredAt: Date.now(), status });
      return { status, body };
    };
    const poster = async () => {
      while (!stop) {
        const key = `pause-${transport}-${sequence++}`;
        const { status, body } = await timed('POST', () =>
          system.http('/v1/orders', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(appleOrder),
          }),
        );
        if (status === 202 && body.id) accepted.set(key, body.id);
        await sleep(50);
      }
    };
    const getter = async () => {
      for (let i = 0; !stop; i++) {
        const id = knownIds[i % knownIds.length];
        await timed('GET', () => system.http(`/v1/orders/${id}`, { headers: { authorization: `Bearer ${token}` } }));
        await sleep(50);
      }
    };
    const load = Promise.all([poster(), poster(), getter(), getter()]);

    await sleep(2000);
    const pausedAt = Date.now();
    broker.signal('SIGSTOP');
    await sleep(PAUSE_MS);
    broker.signal('SIGCONT');
    const resumedAt = Date.now();
    await sleep(5000);
    stop = true;
    await load;

    const late = answers.filter((a) => a.answeredAt - a.startedAt > CALL_DEADLINE_MS + LATE_MARGIN_MS);
    const duringPause = answers.filter((a) => a.startedAt >= pausedAt && a.startedAt < resumedAt);
    const firstSuccess = answers
      .filter((a) => a.startedAt >= resumedAt && a.status < 300)
      .reduce((first, a) => Math.min(first, a.answeredAt), Infinity);
    const slowest = Math.max(...answers.map((a) => a.answeredAt - a.startedAt));
    console.log(
      `[${transport} paused ${PAUSE_MS} ms] ${answers.length} answers (${duringPause.length} started during the pause: ` +
        `${count(duringPause)}), slowest ${slowest} ms, ${late.length} later than ${CALL_DEADLINE_MS + LATE_MARGIN_MS} ms; ` +
        `first success ${firstSuccess - resumedAt} ms after SIGCONT; ${accepted.size} orders accepted`,
    );
    expect(late.map((a) => `${a.kind} ${a.status} after ${a.answeredAt - a.startedAt} ms`)).toEqual([]);
    expect(duringPause.length).toBeGreaterThan(0);
    expect(firstSuccess - resumedAt).toBeLessThanOrEqual(RECOVERY_MS);

    const result = await system.reconciled(90_000);
    console.log(figures(`${transport}: broker paused`, { orders: accepted, retried: {} }, result));
    expect(result.report.findings).toEqual([]);
    expect(result.report.stuck).toEqual([]);
    expect(result.report.orders.PENDING).toBe(0);
    expect(result.report.stock?.filter((s) => !s.ok)).toEqual([]);
    expect(result.report.ok).toBe(true);
  });
});

const appleOrder = { items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentMethod: 'visa' };

/** Statuses and how many of each, e.g. `202 x12, 503 x40`. */
function count(answers: readonly Answer[]): string {
  const by = new Map<number, number>();
  for (const a of answers) by.set(a.status, (by.get(a.status) ?? 0) + 1);
  return [...by].map(([status, n]) => `${status} x${n}`).join(', ') || 'none';
}
